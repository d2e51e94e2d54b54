import Foundation
import Testing
import SpecgdSupport

/// A `specgd` process the test can watch and signal while it runs.
final class RunningSpecgd: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var errText = ""
    private let err = Pipe()

    init(_ arguments: [String]) throws {
        process.executableURL = SpecgdProcess.executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["SPECGD_PROGRESS_SECONDS"] = "0"  // a progress line as soon as the loop runs
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = err
        out.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock(); self.errText += String(decoding: data, as: UTF8.self); self.lock.unlock()
        }
        try process.run()
    }

    var stderr: String { lock.lock(); defer { lock.unlock() }; return errText }

    /// Waits until stderr contains `text`: the run has demonstrably started its step loop.
    /// The deadline only guards against a hang; nothing depends on how fast the machine is.
    func waitForStderr(_ text: String, deadline: TimeInterval = 300) -> Bool {
        let end = Date().addingTimeInterval(deadline)
        while Date() < end {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// The exit status, once stderr has been read to its end (the handler may lag the exit).
    func wait() -> Int32 {
        process.waitUntilExit()
        err.fileHandleForReading.readabilityHandler = nil
        let rest = err.fileHandleForReading.readDataToEndOfFile()
        lock.lock(); errText += String(decoding: rest, as: UTF8.self); lock.unlock()
        return process.terminationStatus
    }
}

private func record(_ path: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
}

@Suite struct StoppedRunCLITests {
    @Test func simulateOnSIGTERMWritesTheRowsSoFarAndExits143() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try RunningSpecgd(["simulate", "--dim", "16", "--steps", "100000000", "--every", "7", "--output", dir + "/run.csv"])
        #expect(run.waitForStderr("simulate: "), "\(run.stderr)")
        run.send(SIGTERM)
        #expect(run.wait() == 143, "\(run.stderr)")
        let table = try Table.readCSV(dir + "/run.csv")
        let json = try record(dir + "/run.json")
        let last = try #require(json["lastStep"] as? Int)
        #expect(json["status"] as? String == "interrupted" && json["stopDetail"] as? String == "SIGTERM")
        #expect(table.column("step")?.first == 0 && table.column("step")?.last == Double(last), "the state reached is the last row")
        #expect(run.stderr.contains("interrupted (SIGTERM) after step \(last)"))
    }

    @Test func theoryOnSIGINTWritesTheRowsSoFarAndExits130() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try RunningSpecgd(["theory", "--method", "gd", "--lambda", "8", "--dim", "100", "--lr", "1e-6",
                                     "--steps", "100000000000", "--every", "100000", "--output", dir + "/t.csv"])
        #expect(run.waitForStderr("theory: "), "\(run.stderr)")
        run.send(SIGINT)
        #expect(run.wait() == 130, "\(run.stderr)")
        let table = try Table.readCSV(dir + "/t.csv")
        let json = try record(dir + "/t.json")
        let last = try #require(json["lastStep"] as? Int)
        #expect(json["status"] as? String == "interrupted" && json["stopDetail"] as? String == "SIGINT")
        #expect(table.rows.count >= 2 && table.column("step")?.last == Double(last) && last % 65536 == 0)
    }

    @Test func compareOnSIGTERMComparesWhatItHas() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try RunningSpecgd(["compare", "--methods", "gd,specgd", "--dim", "16", "--steps", "2000000", "--every", "5",
                                     "--output-dir", dir])
        #expect(run.waitForStderr("simulate gd: "), "\(run.stderr)")
        run.send(SIGTERM)
        #expect(run.wait() == 143, "\(run.stderr)")
        let table = try Table.readCSV(dir + "/compare-gd.csv")
        #expect(table.rows.count >= 1 && !FileManager.default.fileExists(atPath: dir + "/compare-specgd.csv"))
        let json = try record(dir + "/report.json")
        #expect(json["status"] as? String == "interrupted")
        let methods = (json["summary"] as! [String: Any])["methods"] as! [[String: Any]]
        #expect(methods.count == 1 && (methods[0]["simulationStatus"] as! [String: Any])["status"] as? String == "interrupted")
    }

    /// A diverging run keeps its trajectory up to the divergence; the error line and exit 1 stay.
    @Test(arguments: [["theory", "--method", "gd", "--dim", "10", "--every", "1"], ["simulate", "--dim", "8", "--every", "1"]])
    func divergedRunsKeepTheirRows(command: [String]) throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try SpecgdProcess.run(command + ["--lr", "5", "--alpha", "1", "--steps", "100", "--output", dir + "/x.csv"])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").filter { $0.contains("diverged at step 4") }.count == 1, "\(result.stderr)")
        let table = try Table.readCSV(dir + "/x.csv")
        #expect(table.column("step") == [0, 1, 2, 3])
        let json = try record(dir + "/x.json")
        #expect(json["status"] as? String == "diverged" && json["lastStep"] as? Int == 4)
    }

    @Test func completedRunsRecordCompletedAndSimulatePrintsASummary() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try SpecgdProcess.run(["simulate", "--method", "specgd", "--dim", "16", "--steps", "700", "--output", dir + "/s.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("specgd simulate: d = 16") && result.stdout.contains("escape (a ≥ 0.5) at recorded step"))
        #expect(result.stdout.contains("final: a ") && result.stdout.contains("per step"))
        #expect(try record(dir + "/s.json")["status"] as? String == "completed")
        let theory = try SpecgdProcess.run(["theory", "--method", "specgd", "--dim", "16", "--steps", "100", "--output", dir + "/t.csv"])
        let theoryStatus = try record(dir + "/t.json")["status"] as? String
        #expect(theory.status == 0 && theoryStatus == "completed")
        // No escape within 100 steps: nothing at escape, and no GD-only predictions for SpecGD.
        #expect(theory.stdout.contains("no escape") && !theory.stdout.contains("b/a =") && !theory.stdout.contains("ρ"), "\(theory.stdout)")
    }
}
