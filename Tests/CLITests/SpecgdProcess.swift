import Foundation

/// Runs the built `specgd` executable (built next to the test bundle by `swift build
/// --build-tests`) and captures its exit status and output, so tests see what a user sees.
struct SpecgdProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var executable: URL {
        var directory = Bundle.main.bundleURL
        // On Linux the test runner lives in the products directory itself; on macOS inside a bundle.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("specgd").path),
              directory.pathComponents.count > 1 {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("specgd")
    }

    /// `environment` overrides the test process's variables; `removing` names variables the
    /// child must not inherit.
    static func run(_ arguments: [String], environment: [String: String] = [:], removing: [String] = []) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        // The one-line BLAS kernel notice would add a stderr line on CPUs that OpenBLAS 0.3.21
        // does not recognise; tests of stderr see what the command itself says.
        env["SPECGD_BLAS_NOTICE"] = "0"
        env.merge(environment) { _, new in new }
        for name in removing { env[name] = nil }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting so a chatty child cannot block on a full pipe.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A fresh temporary directory for one test's outputs.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "specgd-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
