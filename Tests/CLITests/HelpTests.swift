import Model
import ArgumentParser
import Foundation
@testable import SpecgdCLI
import Testing

/// Every command's `--help` is pinned (Tests/CLITests/Help/<command>.txt) and docs/cli.md is
/// the reference generated from the same definitions; `scripts/update-help` regenerates both.
@Suite struct HelpTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func read(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    @Test(arguments: CLIReference.commands.map(\.name))
    func helpIsPinned(_ name: String) throws {
        let command = try #require(CLIReference.commands.first { $0.name == name }?.type)
        let expected = try Self.read("Tests/CLITests/Help/\(name).txt")
        #expect(CLIReference.helpText(for: command) == expected,
                "specgd \(name) --help changed: run scripts/update-help and review the diff")
    }

    @Test func everyCommandHasASnapshot() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Tests/CLITests/Help").path)
        #expect(Set(files) == Set(CLIReference.commands.map { "\($0.name).txt" }))
        #expect(CLIReference.commands.count == 14)  // the root and its thirteen commands
    }

    @Test func referenceIsCurrent() throws {
        #expect(try Self.read("docs/cli.md") == CLIReference.markdown(),
                "docs/cli.md is out of date: run scripts/update-help")
        #expect(try Self.read("README.md").contains("(docs/cli.md)"))
    }

    /// Value lists come from the enum types, never from help strings; help text depends on
    /// nothing about the machine.
    @Test func noHandWrittenValueLists() {
        let all = CLIReference.commands.map { CLIReference.helpText(for: $0.type) }.joined()
        for list in ["(gd, specgd)", "rk2, rk4, rkf45", "svd, gram, ns3", "svd (exact", "identity (W₀", "gaussian (default)",
                     "spiked (", "eigen (", "smoothed, filippov", "theory (the exact"] {
            #expect(!all.contains(list), "hand-written list in help: \(list)")
        }
        #expect(!all.contains("default: \(ProcessInfo.processInfo.activeProcessorCount))") || ProcessInfo.processInfo.activeProcessorCount == 1)
    }

    @Test func groupedCommands() {
        let help = CLIReference.helpText(for: SpecGD.self)
        for group in ["RUN SUBCOMMANDS", "COMPARE AND CHECK SUBCOMMANDS", "SWEEPS SUBCOMMANDS", "FIGURES SUBCOMMANDS", "MACHINE SUBCOMMANDS"] {
            #expect(help.contains(group))
        }
        #expect(!help.contains("help-markdown"))
    }
}
