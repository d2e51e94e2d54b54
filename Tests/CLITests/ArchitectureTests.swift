import Foundation
import Testing

/// docs/architecture.md's rules, read off the sources: every module a file imports is declared
/// in Package.swift for its target (no `@_exported` re-export standing in for a declaration), and
/// library modules read no process state (command line, environment, terminal, PATH): the CLI
/// reads those and passes values in.
@Suite struct ArchitectureTests {
    static let repository = DocsExamplesTests.repository
    /// Modules of the toolchain and the system, importable without a declaration.
    static let system: Set<String> = ["Foundation", "FoundationXML", "Dispatch", "Testing", "Glibc", "Darwin"]

    /// Target name → declared dependencies (targets and products), from Package.swift.
    static func declaredDependencies() throws -> [String: Set<String>] {
        let manifest = try String(contentsOf: repository.appendingPathComponent("Package.swift"), encoding: .utf8)
        var result = [String: Set<String>]()
        let target = try Regex(#"\.(?:target|testTarget|executableTarget)\(\s*name:\s*"([A-Za-z]+)"(?:,\s*dependencies:\s*\[([^\]]*)\])?"#)
        for match in manifest.matches(of: target) {
            let name = String(match.output[1].substring!)
            let list = match.output[2].substring.map(String.init) ?? ""
            let quoted = list.matches(of: try Regex(#""([A-Za-z]+)""#)).map { String($0.output[1].substring!) }
            // `.product(name: "ArgumentParser", package: "swift-argument-parser")` declares the product's
            // module (the package's name has a dash and does not match).
            result[name] = Set(quoted)
        }
        return result
    }

    static func swiftFiles(_ directory: URL) -> [URL] {
        let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        return (walker?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
    }

    static func targetDirectories() -> [(name: String, url: URL)] {
        ["Sources", "Tests"].flatMap { root -> [(String, URL)] in
            let base = repository.appendingPathComponent(root)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
            return names.sorted().map { ($0, base.appendingPathComponent($0)) }
        }.filter { !["CGSL", "CLapacke", "CMachine", "CSignalRelay"].contains($0.0) }.map { (name: $0.0, url: $0.1) }
    }

    @Test func everyImportIsDeclared() throws {
        let declared = try Self.declaredDependencies()
        var undeclared = [String]()
        for (name, url) in Self.targetDirectories() {
            guard let dependencies = declared[name] else { continue }
            for file in Self.swiftFiles(url) {
                let text = try String(contentsOf: file, encoding: .utf8)
                let reexports = text.split(separator: "\n").filter { $0.hasPrefix("@_exported ") }
                #expect(reexports.isEmpty, "\(file.lastPathComponent): \(reexports)")
                for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
                    let module = String(line.split(separator: " ").last!)
                    if !Self.system.contains(module) && !dependencies.contains(module) {
                        undeclared.append("\(name)/\(file.lastPathComponent) imports \(module)")
                    }
                }
            }
        }
        #expect(undeclared.isEmpty, "\(undeclared.joined(separator: "\n"))")
        #expect(declared["Sweep"]?.contains("Model") == true)  // the parse found the targets
    }

    /// The modules a target reaches through Package.swift's graph (itself excluded).
    static func reachable(from target: String, in graph: [String: Set<String>]) -> Set<String> {
        var seen = Set<String>()
        var pending = Array(graph[target] ?? [])
        while let next = pending.popLast() {
            guard seen.insert(next).inserted else { continue }
            pending.append(contentsOf: graph[next] ?? [])
        }
        return seen
    }

    /// The record layer and the figure modules link no numerical library: reading the machine
    /// block (cpuid, OpenBLAS, GSL) lives in Machine, so a Swift user of Plot or PlotRecipes (or a
    /// tool that only reads records) needs neither OpenBLAS nor GSL. Transitive, through every
    /// declared dependency; with `everyImportIsDeclared` no source file can import around it.
    @Test func recordsAndFiguresLinkNothingNumerical() throws {
        let graph = try Self.declaredDependencies()
        let numerical: Set = ["CLapacke", "CGSL", "CMachine", "Machine", "NumericKit"]
        for target in ["SpecgdSupport", "Plot", "PlotRecipes"] {
            #expect(graph[target] != nil, "\(target) is not a target of Package.swift")
            let reached = Self.reachable(from: target, in: graph)
            #expect(reached.isDisjoint(with: numerical), "\(target) reaches \(reached.intersection(numerical).sorted())")
        }
        // The walk sees through layers: PlotRecipes reaches SpecgdSupport via Plot, and the CLI
        // reaches CMachine via Machine (so a numerical dependency two layers down would be found).
        #expect(Self.reachable(from: "PlotRecipes", in: graph).contains("SpecgdSupport"))
        #expect(Self.reachable(from: "SpecgdCLI", in: graph).isSuperset(of: ["CMachine", "CLapacke", "CGSL"]))
    }

    /// Library modules (everything but the CLI, the executables and the tests) read no process
    /// state: the command line, the environment, whether stderr is a terminal. The Machine
    /// module is the one exception: it reads the machine block off the process, and its
    /// BLAS-kernel restart re-executes the process before any command runs (docs/contracts.md).
    @Test func librariesReadNoProcessState() throws {
        let forbidden = ["CommandLine.", "ProcessInfo.processInfo.environment", "isatty(", "getenv("]
        var found = [String]()
        for (name, url) in Self.targetDirectories() where url.path.contains("/Sources/")
            && !["SpecgdCLI", "specgd", "SpecgdBench", "Machine"].contains(name) {
            for file in Self.swiftFiles(url) {
                let text = try String(contentsOf: file, encoding: .utf8)
                for word in forbidden where text.contains(word) { found.append("\(name)/\(file.lastPathComponent): \(word)") }
            }
        }
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }
}
