import Foundation
import Testing

/// Every `specgd …` example a user can copy — the command lines in README.md's and docs/*.md's
/// code blocks — runs as written and exits 0.
/// A document's examples run in order in one fresh directory (later ones read earlier outputs,
/// as a reader's would), with `examples/` of the repository beside them. Each example has a time
/// budget; the few slow ones say so in their own comment (`# slow`), which doubles their budget.
@Suite struct DocsExamplesTests {
    struct Example: Sendable, CustomStringConvertible {
        var source: String
        var command: String
        var slow: Bool
        var description: String { "\(source): \(command)" }
    }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Command lines starting with `specgd ` (or a `mkdir ` the reader runs first) inside fenced
    /// code blocks other than ```text (output), continuation lines joined.
    static func examples(inMarkdown text: String, source: String) -> [Example] {
        var found = [Example]()
        var inBlock = false, outputBlock = false
        var pending: (line: Int, text: String)?
        for (number, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") {
                // A ```text block is output (docs/cli.md's help screens), not commands to run.
                if inBlock || outputBlock { (inBlock, outputBlock) = (false, false) }
                else if line == "```text" { outputBlock = true }
                else { inBlock = true }
                pending = nil
                continue
            }
            guard inBlock else { continue }
            if var current = pending {
                current.text += " " + line
                pending = current
            } else if line.hasPrefix("specgd ") || line.hasPrefix("mkdir ") {
                pending = (number + 1, line)
            }
            if let current = pending, !current.text.hasSuffix("\\") {
                found.append(example(current.text, source: "\(source):\(current.line)"))
                pending = nil
            } else if let current = pending {
                pending = (current.line, String(current.text.dropLast()).trimmingCharacters(in: .whitespaces))
            }
        }
        return found
    }

    /// The command without its trailing `# comment` (a `#` after whitespace, outside quotes).
    static func example(_ line: String, source: String) -> Example {
        var command = "", comment = ""
        var quote: Character?
        var previous: Character = " "
        for (offset, character) in line.enumerated() {
            if let q = quote { if character == q { quote = nil } }
            else if character == "'" || character == "\"" { quote = character }
            else if character == "#", previous == " " {
                comment = String(line.dropFirst(offset))
                break
            }
            command.append(character)
            previous = character
        }
        return Example(source: source, command: command.trimmingCharacters(in: .whitespaces),
                       slow: comment.lowercased().contains("slow"))
    }

    static var documents: [String] {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent("docs").path)) ?? []
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    /// Runs `examples` in order in a fresh directory; returns the failures as readable lines.
    static func run(_ examples: [Example], budget: Double = 240) throws -> [String] {
        let directory = try SpecgdProcess.temporaryDirectory()
        // The layout a reader has at the top of a clone: the shipped inputs, and the committed
        // folder the notebook example writes into.
        try FileManager.default.createSymbolicLink(atPath: directory + "/examples",
                                                   withDestinationPath: repository.appendingPathComponent("examples").path)
        try FileManager.default.createDirectory(atPath: directory + "/notebooks-export", withIntermediateDirectories: false)
        let bin = SpecgdProcess.executable.deletingLastPathComponent().path
        var failures = [String]()
        for example in examples {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", example.command]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            var env = ProcessInfo.processInfo.environment
            env["PATH"] = bin + ":" + (env["PATH"] ?? "/usr/bin:/bin")
            env["SPECGD_BLAS_NOTICE"] = "0"
            process.environment = env
            let err = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = err
            let start = Date()
            try process.run()
            let limit = example.slow ? 2 * budget : budget
            let timer = DispatchSource.makeTimerSource()
            timer.schedule(deadline: .now() + limit)
            timer.setEventHandler { process.terminate() }
            timer.resume()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            timer.cancel()
            let seconds = Date().timeIntervalSince(start)
            if process.terminationReason == .uncaughtSignal {
                failures.append("\(example): stopped after \(Int(seconds)) s (budget \(Int(limit)) s; mark it '# slow' or make it smaller)")
            } else if process.terminationStatus != 0 {
                failures.append("\(example): exit \(process.terminationStatus): \(stderr.prefix(300))")
            }
        }
        return failures
    }

    @Test(arguments: documents)
    func documentExamplesRunAsWritten(_ document: String) throws {
        let text = try String(contentsOf: Self.repository.appendingPathComponent(document), encoding: .utf8)
        let examples = Self.examples(inMarkdown: text, source: document)
        let failures = try Self.run(examples)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// Every image a document shows (`![alt](path)`) is in the repository, and README.md shows
    /// one: the demo's main figure as PNG.
    @Test func theDocumentsImagesExist() throws {
        var images = 0, missing: [String] = []
        for document in Self.documents {
            let text = try String(contentsOf: Self.repository.appendingPathComponent(document), encoding: .utf8)
            let base = Self.repository.appendingPathComponent(document).deletingLastPathComponent()
            for match in text.matches(of: /!\[[^\]]*\]\(([^)\s]+)\)/) {
                let path = String(match.1)
                guard !path.contains("://") else { missing.append("\(document): \(path) is remote"); continue }
                images += 1
                if !FileManager.default.fileExists(atPath: base.appendingPathComponent(path).path) { missing.append("\(document): \(path)") }
            }
        }
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(/!\[[^\]]*\]\([^)]*\.png\)/), "README.md shows no PNG")
        #expect(images > 0 && missing.isEmpty, "\(missing.joined(separator: "\n"))")
    }

    @Test func theDocumentsHaveExamples() throws {
        // README's command pages live in docs/: an extraction that finds nothing would pass vacuously.
        let count = try Self.documents.reduce(0) { total, document in
            let text = try String(contentsOf: Self.repository.appendingPathComponent(document), encoding: .utf8)
            return total + Self.examples(inMarkdown: text, source: document).filter { $0.command.hasPrefix("specgd ") }.count
        }
        #expect(count >= 15, "only \(count) specgd examples found in README.md and docs/")
    }

    @Test func extractionJoinsContinuationsAndDropsComments() {
        let text = """
        prose `specgd not-this`
        ```sh
        specgd theory --steps 5 \\
            --output a.csv   # a comment
        specgd sweep --grid 'lambda=0:1:2' --output-dir x   # slow: ~1 min
        echo specgd no
        ```
        """
        let found = Self.examples(inMarkdown: text, source: "t")
        #expect(found.map(\.command) == ["specgd theory --steps 5 --output a.csv",
                                         "specgd sweep --grid 'lambda=0:1:2' --output-dir x"])
        #expect(found.map(\.slow) == [false, true])
        #expect(found.first?.source == "t:3")
    }
}
