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

    /// The public surface is the documented one (docs/architecture.md, the block after
    /// `<!-- public-surface -->`): a top-level declaration holding a `public` modifier (itself, a
    /// member, an extension of it) must be listed for its module, and a listed name must still be
    /// public. Whatever crosses modules but is not for library users is `package`. The scan is
    /// line based (the code style puts top-level declarations in column 0, members indented),
    /// skipping comments and multi-line strings; a name is the top-level declaration's.
    @Test func publicSurfaceIsDocumented() throws {
        let doc = try String(contentsOf: Self.repository.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        let after = try #require(doc.components(separatedBy: "<!-- public-surface -->").dropFirst().first)
        let block = try #require(after.components(separatedBy: "```").dropFirst().first)
        var documented = Set<String>()
        for line in block.split(separator: "\n") where line.contains(":") {
            let parts = line.split(separator: ":", maxSplits: 1)
            let module = parts[0].trimmingCharacters(in: .whitespaces)
            for name in parts[1].split(separator: " ") { documented.insert("\(module).\(name)") }
        }
        #expect(documented.contains("Model.Experiment"))  // the parse found the block

        let declaration = try Regex(#"^(?:@[\w.]+(?:\([^)]*\))?\s+)*(?:(?:public|package|private|fileprivate|internal|final|indirect|nonisolated|open)\s+)*(?:struct|enum|class|protocol|actor|extension|func|var|let|typealias)\s+([A-Za-z_][\w.]*)"#)
        let publicModifier = try Regex(#"^\s*(?:@[\w.]+(?:\([^)]*\))?\s+)*(?:(?:static|final|mutating|nonmutating|override|convenience|required|indirect|nonisolated|lazy|dynamic|class)\s+)*public\b(?!\s*\()"#)
        let triple = String(repeating: "\"", count: 3)  // a multi-line string literal's delimiter
        var found = Set<String>(), publicLines = [String: Int]()
        for (module, url) in Self.targetDirectories() where url.path.contains("/Sources/") {
            for file in Self.swiftFiles(url) {
                var top: String?, inComment = false, inString = false
                for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
                    let stripped = line.trimmingCharacters(in: .whitespaces)
                    if inString {
                        if stripped.hasPrefix(triple) || (stripped.hasSuffix(triple) && stripped.components(separatedBy: triple).count % 2 == 0) { inString = false }
                        continue
                    }
                    if inComment { if line.contains("*/") { inComment = false }; continue }
                    if stripped.hasPrefix("/*") && !stripped.contains("*/") { inComment = true; continue }
                    if stripped.hasPrefix("//") { continue }
                    let code = line.components(separatedBy: "//")[0]
                    if code.components(separatedBy: triple).count % 2 == 0 { inString = true }
                    if let first = line.first, !first.isWhitespace, let match = try declaration.prefixMatch(in: line) {
                        top = match.output[1].substring.map(String.init)
                    }
                    if try publicModifier.prefixMatch(in: line) != nil, let top {
                        found.insert("\(module).\(top.split(separator: ".")[0])")
                        publicLines[module, default: 0] += 1
                    }
                }
            }
        }
        let undocumented = found.subtracting(documented).sorted(), stale = documented.subtracting(found).sorted()
        #expect(undocumented.isEmpty, "public but not in docs/architecture.md's surface (make it package, or document it): \(undocumented)")
        #expect(stale.isEmpty, "in docs/architecture.md's surface but not public: \(stale)")

        // Members too: each module's count of `public` declarations is pinned beside the list
        // (the block after `<!-- public-member-counts -->`), so a member made public by habit
        // fails here and is weighed: package/internal, or the count raised in the same commit.
        let countsText = try #require(doc.components(separatedBy: "<!-- public-member-counts -->").dropFirst().first)
        let countsBlock = try #require(countsText.components(separatedBy: "```").dropFirst().first)
        var pinned = [String: Int]()
        for line in countsBlock.split(separator: "\n") {
            let parts = line.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, let n = Int(parts[1]) { pinned[parts[0]] = n }
        }
        #expect(pinned["Model"] != nil)  // the parse found the block
        let drift = Set(pinned.keys).union(publicLines.keys).sorted().compactMap { module -> String? in
            pinned[module] == publicLines[module] ? nil : "\(module): \(publicLines[module] ?? 0) public declarations, docs pin \(pinned[module].map(String.init) ?? "none")"
        }
        #expect(drift.isEmpty, "public member counts differ from docs/architecture.md (make the new member package or internal, or update the count): \(drift)")
    }
}
