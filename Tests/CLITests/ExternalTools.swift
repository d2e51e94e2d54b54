import Foundation

/// External programs some tests need. A test that needs one is declared with
/// `.enabled(if: ExternalTools.x != nil)`, so without it the run reports it SKIPPED (never a
/// silent pass).
enum ExternalTools {
    /// A Python with nbformat and nbconvert, named by SPECGD_PYTHON (scripts/test sets it).
    static let python: String? = ProcessInfo.processInfo.environment["SPECGD_PYTHON"]
        .flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }

    /// librsvg's rsvg-convert on PATH (scripts/setup installs librsvg2-bin).
    static let rsvgConvert: String? = onPath("rsvg-convert")

    /// Headless Chromium for the report's browser check, only when SPECGD_TEST_BROWSER=1
    /// (scripts/test installs it then, and CI sets it); nil otherwise, so the test is skipped.
    static let browserRequested = ProcessInfo.processInfo.environment["SPECGD_TEST_BROWSER"] == "1"
    static let chromium: String? = onPath("chromium") ?? onPath("chromium-browser")

    static func onPath(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `executable` with `arguments`; status, stdout and stderr.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        // stderr goes to a file, so a chatty child cannot block on a full pipe while stdout is read.
        let errPath = NSTemporaryDirectory() + "specgd-test-stderr-" + UUID().uuidString
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: errPath)
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
