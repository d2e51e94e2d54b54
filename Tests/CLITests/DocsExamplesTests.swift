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
        /// Which fenced block of the document it is in (0-based).
        var block = 0
        var description: String { "\(source): \(command)" }
    }

    /// A printed output the document shows, checked against a run: the fenced block after a
    /// `<!-- output of the commands above -->` line (the stdout of the examples of the last
    /// command block before it, in order) or after `<!-- output of: COMMAND -->` (COMMAND's
    /// stdout and stderr, run by sh where it stands among the examples: after `after` of them).
    struct PrintedOutput: Sendable, CustomStringConvertible {
        var source: String
        /// nil: the examples of block `block`.
        var command: String?
        var block: Int?
        var after: Int
        /// The block's text lines (between its fences), as 0-based line indices of the document.
        var lines: Range<Int>
        var description: String { "\(source): " + (command.map { "output of \($0)" } ?? "output of the commands above") }
    }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var outputMarker: Regex<(Substring, Substring?, Substring?)> { /^<!-- output of(?: (the commands above)|: (.+?)) -->$/ }

    /// Command lines starting with `specgd ` (or a `mkdir ` the reader runs first) inside fenced
    /// code blocks other than ```text (output), continuation lines joined.
    static func examples(inMarkdown text: String, source: String) -> [Example] {
        scan(text, source: source).examples
    }

    /// The examples (see above) and the printed outputs marked for checking, in document order.
    static func scan(_ text: String, source: String) -> (examples: [Example], outputs: [PrintedOutput]) {
        var found = [Example](), printed = [PrintedOutput]()
        var inBlock = false, outputBlock = false
        var pending: (line: Int, text: String)?
        var blocks = 0, lastCommandBlock: Int?
        var marked: PrintedOutput?
        for (number, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let match = line.wholeMatch(of: outputMarker), !inBlock, !outputBlock {
                let command = match.2.map(String.init)
                marked = PrintedOutput(source: "\(source):\(number + 1)", command: command,
                                       block: command == nil ? lastCommandBlock : nil, after: found.count, lines: 0..<0)
                continue
            }
            if line.hasPrefix("```") {
                // A ```text block is output (docs/cli.md's help screens), not commands to run.
                if inBlock || outputBlock {
                    if var output = marked, output.lines.lowerBound > 0 {
                        output.lines = output.lines.lowerBound..<number
                        printed.append(output)
                        marked = nil
                    }
                    (inBlock, outputBlock) = (false, false)
                    blocks += 1
                } else if marked != nil {
                    outputBlock = true
                    marked!.lines = (number + 1)..<(number + 1)
                } else if line == "```text" { outputBlock = true }
                else { inBlock = true }
                pending = nil
                continue
            }
            guard inBlock else {
                if !outputBlock, !line.isEmpty { marked = nil }  // a marker names the block right after it
                continue
            }
            if var current = pending {
                current.text += " " + line
                pending = current
            } else if line.hasPrefix("specgd ") || line.hasPrefix("mkdir ") {
                pending = (number + 1, line)
            }
            if let current = pending, !current.text.hasSuffix("\\") {
                var example = example(current.text, source: "\(source):\(current.line)")
                example.block = blocks
                lastCommandBlock = blocks
                found.append(example)
                pending = nil
            } else if let current = pending {
                pending = (current.line, String(current.text.dropLast()).trimmingCharacters(in: .whitespaces))
            }
        }
        return (found, printed)
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

    /// Runs `examples` in order in a fresh directory, and the `outputs` where they stand;
    /// returns the failures as readable lines and what each output printed (by index).
    static func run(_ examples: [Example], outputs: [PrintedOutput] = [], budget: Double = 240) throws
        -> (failures: [String], printed: [Int: String]) {
        let directory = try SpecgdProcess.temporaryDirectory()
        // The layout a reader has at the top of a clone: the shipped inputs, and the committed
        // folder the notebook example writes into.
        try FileManager.default.createSymbolicLink(atPath: directory + "/examples",
                                                   withDestinationPath: repository.appendingPathComponent("examples").path)
        try FileManager.default.createDirectory(atPath: directory + "/notebooks-export", withIntermediateDirectories: false)
        let bin = SpecgdProcess.executable.deletingLastPathComponent().path
        var failures = [String](), stdouts = [String](), printed = [Int: String]()

        /// Runs `command` by sh in the directory: (stopped by the budget, status, stdout, stderr);
        /// with `merged`, stderr goes to stdout's pipe (in the order written).
        func shell(_ command: String, limit: Double, merged: Bool) throws -> (stopped: Bool, status: Int32, stdout: String, stderr: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            var env = ProcessInfo.processInfo.environment
            env["PATH"] = bin + ":" + (env["PATH"] ?? "/usr/bin:/bin")
            env["SPECGD_BLAS_NOTICE"] = "0"
            process.environment = env
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = merged ? out : err
            try process.run()
            let timer = DispatchSource.makeTimerSource()
            timer.schedule(deadline: .now() + limit)
            timer.setEventHandler { process.terminate() }
            timer.resume()
            // stderr is read on another thread, so neither pipe can fill up and block the child.
            let errorText = LockedText()
            let reader = Thread { errorText.set(merged ? "" : String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)) }
            if !merged { reader.start() }
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            timer.cancel()
            if !merged { errorText.wait() }
            return (process.terminationReason == .uncaughtSignal, process.terminationStatus, stdout, errorText.value)
        }

        func check(_ index: Int) throws {
            let output = outputs[index]
            if let command = output.command {
                let result = try shell(command, limit: budget, merged: true)
                if result.stopped { failures.append("\(output): stopped after its budget"); return }
                printed[index] = result.stdout
            } else {
                printed[index] = zip(examples, stdouts).filter { $0.0.block == output.block }.map(\.1).joined()
            }
        }

        for (position, example) in examples.enumerated() {
            for index in outputs.indices where outputs[index].after == position { try check(index) }
            let start = Date()
            let limit = example.slow ? 2 * budget : budget
            let result = try shell(example.command, limit: limit, merged: false)
            stdouts.append(result.stdout)
            let seconds = Date().timeIntervalSince(start)
            if result.stopped {
                failures.append("\(example): stopped after \(Int(seconds)) s (budget \(Int(limit)) s; mark it '# slow' or make it smaller)")
            } else if result.status != 0 {
                failures.append("\(example): exit \(result.status): \(result.stderr.prefix(300))")
            }
        }
        for index in outputs.indices where outputs[index].after == examples.count { try check(index) }
        return (failures, printed)
    }

    /// The document's printed outputs that differ from what their runs printed, as readable
    /// lines; and the document with every such block replaced by what was printed.
    static func staleOutputs(_ text: String, outputs: [PrintedOutput], printed: [Int: String]) -> (stale: [String], updated: String) {
        var lines = text.components(separatedBy: "\n")
        var stale = [String]()
        // From the last block up, so earlier line indices stay valid.
        for index in outputs.indices.reversed() {
            guard let actual = printed[index] else { continue }
            let output = outputs[index]
            let shown = Array(lines[output.lines])
            var fresh = actual.components(separatedBy: "\n")
            if fresh.last == "" { fresh.removeLast() }
            guard shown != fresh else { continue }
            let first = zip(shown, fresh).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(shown.count, fresh.count)
            let was = first < shown.count ? shown[first] : "(nothing)"
            let now = first < fresh.count ? fresh[first] : "(nothing)"
            stale.insert("\(output) is stale at its line \(first + 1): shows '\(was)', prints '\(now)' (run scripts/update-help)", at: 0)
            lines.replaceSubrange(output.lines, with: fresh)
        }
        return (stale, lines.joined(separator: "\n"))
    }

    /// SPECGD_UPDATE_DOCS=1 (scripts/update-help): stale printed outputs are rewritten in the
    /// documents instead of failing.
    static let updating = ProcessInfo.processInfo.environment["SPECGD_UPDATE_DOCS"] == "1"

    @Test(arguments: documents)
    func documentExamplesRunAsWritten(_ document: String) throws {
        let url = Self.repository.appendingPathComponent(document)
        let text = try String(contentsOf: url, encoding: .utf8)
        let (examples, outputs) = Self.scan(text, source: document)
        let (failures, printed) = try Self.run(examples, outputs: outputs)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        let (stale, updated) = Self.staleOutputs(text, outputs: outputs, printed: printed)
        if Self.updating, !stale.isEmpty, failures.isEmpty {
            try updated.write(to: url, atomically: true, encoding: .utf8)
        } else {
            #expect(stale.isEmpty, "\(stale.joined(separator: "\n"))")
        }
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

    /// Marked blocks are found with the examples they follow, and a stale one is named and
    /// rewritten; an unmarked block is never checked.
    @Test func printedOutputsAreMarkedBlocks() throws {
        let text = """
        ```sh
        specgd info --version-only
        specgd info --version-only
        ```
        <!-- output of the commands above -->
        ```text
        old
        ```
        ```
        not checked
        ```
        <!-- output of: printf 'a\\nb\\n' -->
        ```text
        a
        b
        ```
        """
        let (examples, outputs) = Self.scan(text, source: "t")
        #expect(examples.count == 2 && outputs.count == 2)
        #expect(outputs.map(\.block) == [0, nil] && outputs.map(\.after) == [2, 2])
        #expect(outputs.map(\.lines) == [6..<7, 13..<15])
        let printed = [0: "1.0\n1.0\n", 1: "a\nb\n"]
        let (stale, updated) = Self.staleOutputs(text, outputs: outputs, printed: printed)
        #expect(stale == ["t:5: output of the commands above is stale at its line 1: shows 'old', prints '1.0' (run scripts/update-help)"])
        #expect(updated == text.replacingOccurrences(of: "```text\nold\n```", with: "```text\n1.0\n1.0\n```"))
        #expect(Self.staleOutputs(updated, outputs: Self.scan(updated, source: "t").outputs, printed: printed).stale.isEmpty)
    }

    /// Every printed output a document marks is checked: at least the tutorials' (a marker
    /// lost in an edit would otherwise pass silently).
    @Test func theTutorialsMarkTheirOutputs() throws {
        for document in ["docs/tutorial-slurm-phase-diagram.md", "docs/tutorial-validate-a-theorem.md", "docs/tutorial-figure-set.md"] {
            let text = try String(contentsOf: Self.repository.appendingPathComponent(document), encoding: .utf8)
            #expect(Self.scan(text, source: document).outputs.count >= 2, "\(document) marks no printed output")
        }
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

/// Text one thread sets and another waits for (a child's stderr, read while stdout is).
private final class LockedText: @unchecked Sendable {
    private let condition = NSCondition()
    private var text: String?
    func set(_ value: String) { condition.lock(); text = value; condition.signal(); condition.unlock() }
    func wait() { condition.lock(); while text == nil { condition.wait() }; condition.unlock() }
    var value: String { condition.lock(); defer { condition.unlock() }; return text ?? "" }
}
