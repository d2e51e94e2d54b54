import Model
import ArgumentParser
import Foundation
import Machine
import NumericKit
import SpecgdSupport

/// The root command. `main()` is the process entry point (Sources/specgd/main.swift).
package struct SpecGD: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "specgd",
        abstract: "Gradient descent vs spectral gradient descent on anisotropic phase retrieval.",
        discussion: """
        Model: x ~ N(0, Σ), Σ = I + λvvᵀ (v ⟂ θ*), target y = (θ*ᵀx)², network f_W(x) = ‖Wᵀx‖², \
        loss L = ¼E[(f_W − y)²]. GD: W ← W − η̃∇L. SpecGD (Muon's idea): W ← W − η·polar(∇L).
        From W₀ = αI the dynamics stay on diag(a, b, c, …, c): a = signal, b = spike, c = bulk.

        Start with `specgd theory --help` (exact summary maps and ODE flows), \
        `specgd simulate --help` (dense finite-d training) and `specgd compare --help`.
        """,
        version: SpecgdVersion.string,
        subcommands: [HelpMarkdownCommand.self],
        groupedSubcommands: [
            CommandGroup(name: "Run", subcommands: [TheoryCommand.self, SimulateCommand.self, ReplayCommand.self, RunCommand.self]),
            CommandGroup(name: "Compare and check", subcommands: [CompareCommand.self, CheckEscapeCommand.self]),
            CommandGroup(name: "Sweeps", subcommands: [SweepCommand.self, MergeCommand.self, PlotPhaseCommand.self]),
            CommandGroup(name: "Figures", subcommands: [FiguresCommand.self, ExportNotebookCommand.self, ReportCommand.self]),
            CommandGroup(name: "Machine", subcommands: [InfoCommand.self]),
        ])

    /// Every failure is one line on stderr: `Error: <message>`, and for a command-line
    /// mistake (unknown option, bad choice, missing value; exit status 64) the hint
    /// `(see 'specgd <command> --help')` on the same line instead of the usage block.
    /// --help and --version print as usual; a bare exit code (a failed check) prints nothing more.
    package init() {}

    package static func main() {
        // Process start, before any BLAS call: the right OpenBLAS kernel for this CPU (which may
        // re-execute the process once) and one BLAS thread unless a command asks for more (the
        // thread count is process-wide; library code only reads it).
        BLASKernel.reexecuteWithBestKernel()
        NumericKit.setBLASThreads(1)
        do {
            var command = try parseAsRoot()
            try AddressSpace.checkRoom(AddressSpace.workBufferBytes, for: "OpenBLAS's work buffer",
                                       detail: "without it every BLAS call retries a failing mmap")
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            if let line = errorLine(for: error, arguments: Array(CommandLine.arguments.dropFirst())) {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            // _exit, not exit: exit runs OpenBLAS's shutdown, which joins its server threads, and
            // one that is still retrying its work buffer's mmap under a tight address-space cap
            // never returns. Nothing else of ours runs at exit; stdout is flushed here.
            fflush(nil)
            _exit(code.rawValue)
        }
    }

    /// The one stderr line for a failure of `specgd ARGUMENTS` (nil for a bare exit code):
    /// `Error: <message>`, with the `--help` hint for a command-line mistake.
    static func errorLine(for error: any Error, arguments: [String]) -> String? {
        let error = OptionNames.translated(error)  // library field names → the flags a user typed
        let lines = Self.message(for: error).split(whereSeparator: \.isNewline).map(String.init)
        var message = lines.first ?? ""
        // A choice among many values ("Please provide one of the following:" and a bulleted
        // list) stays on the one line: the values comma-separated.
        let bullets = lines.dropFirst().prefix { $0.hasPrefix("  - ") }.map { $0.dropFirst(4) }
        if message.hasSuffix(":"), !bullets.isEmpty {
            message += " " + bullets.joined(separator: ", ") + "."
        }
        guard !message.isEmpty else { return nil }
        let hint = exitCode(for: error) == .validationFailure ? " (see '\(helpCommand(arguments)) --help')" : ""
        return (message.hasPrefix("Error:") ? "" : "Error: ") + message + hint
    }

    /// `specgd` or `specgd <subcommand>`, from the arguments.
    private static func helpCommand(_ arguments: [String]) -> String {
        let names = configuration.subcommands.map { $0.configuration.commandName ?? "" }
        return (arguments.first { names.contains($0) }).map { "specgd \($0)" } ?? "specgd"
    }
}
