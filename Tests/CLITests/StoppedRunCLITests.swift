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
        // One reader thread to the pipe's end, so `wait()` knows when the last byte is in: a
        // readabilityHandler could still be appending the final line (a command that prints
        // progress lines up to its exit) when the test reads stderr.
        let reader = Thread { [self] in
            let handle = err.fileHandleForReading
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                lock.lock(); errText += String(decoding: data, as: UTF8.self); lock.unlock()
            }
            ended.signal()
        }
        try process.run()
        reader.start()
    }

    private let ended = DispatchSemaphore(value: 0)
    private var drained = false

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

    /// Waits (polling, bounded by `deadline` as a hang guard) until `condition` holds or the
    /// process has exited; whether it holds then.
    func waitUntil(deadline: TimeInterval = 300, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(deadline)
        while Date() < end {
            if condition() { return true }
            if !process.isRunning { return condition() }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// CPU time (clock ticks, user + system) of each of the process's threads whose kernel
    /// name starts with `prefix` (Linux /proc; empty elsewhere).
    func workerCPUTicks(named prefix: String) -> [Int] {
        let tasks = "/proc/\(process.processIdentifier)/task"
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? []
        return ids.compactMap { id in
            guard let comm = try? String(contentsOfFile: "\(tasks)/\(id)/comm", encoding: .utf8), comm.hasPrefix(prefix),
                  let stat = try? String(contentsOfFile: "\(tasks)/\(id)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
            return user + system
        }
    }

    /// Once `started` is on stderr, sends `signals`; the exit status within `seconds` (nil: none).
    func interrupt(after started: String, with signals: [Int32], within seconds: TimeInterval = 20) -> Int32? {
        guard waitForStderr(started) else { return wait(within: 0) }
        for signal in signals { send(signal) }
        return wait(within: seconds)
    }

    /// The exit status, or nil (and the process killed) when it has not exited within
    /// `seconds` (a signal must be honoured promptly).
    func wait(within seconds: TimeInterval) -> Int32? {
        let end = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.02) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            _ = wait()
            return nil
        }
        return wait()
    }

    /// The exit status, once stderr has been read to its end (the handler may lag the exit).
    func wait() -> Int32 {
        process.waitUntilExit()
        // The pipe ends when the process has exited (a child left holding it would be a bug
        // the tests report; the bound keeps such a bug from hanging the suite).
        if !drained { drained = ended.wait(timeout: .now() + 30) == .success }
        return process.terminationStatus
    }
}

/// Processes whose command line mentions `text` (a test's folder): none may outlive a command.
func processes(mentioning text: String) -> [String] {
    let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
    return pids.compactMap { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        return line.contains(text) ? "\(pid): \(line)" : nil
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

    /// `specgd run` stops the running step on SIGTERM as on SIGINT (it used to run the step to
    /// its end and exit 0): the step's rows so far, 143, run.json saying interrupted.
    @Test func runStopsItsStepOnSIGTERM() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        steps:
          - command: theory
            options: {method: gd, steps: 50, output: t.csv}
          - command: simulate
            name: long
            options: {dim: 16, steps: 100000000, every: 7, output: s.csv}
        """.write(toFile: dir + "/e.yaml", atomically: true, encoding: .utf8)
        let run = try RunningSpecgd(["run", dir + "/e.yaml", "--output-dir", dir + "/out"])
        #expect(run.interrupt(after: "simulate: ", with: [SIGTERM]) == 143, "\(run.stderr)")
        let json = try record(dir + "/out/s.json")
        #expect(json["status"] as? String == "interrupted" && json["stopDetail"] as? String == "SIGTERM")
        #expect(try Table.readCSV(dir + "/out/s.csv").rows.count >= 1)
        let summary = try #require(try record(dir + "/out/run.json")["summary"] as? [String: Any])
        #expect(summary["status"] as? String == "interrupted")
        // Each live watcher says once what it does (the finished theory step's says nothing).
        #expect(run.stderr.components(separatedBy: "stopping after the current step").count == 2, "\(run.stderr)")
    }

    /// A process-group kill (or `timeout` forwarding its TERM) delivers two signals at once: the
    /// second may hurry the exit but never skips the write.
    @Test(arguments: 1...3) func aRepeatedSignalStillWritesTheRows(_ attempt: Int) throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try RunningSpecgd(["simulate", "--method", "specgd", "--dim", "48", "--init", "gaussian", "--alpha", "0.1",
                                     "--steps", "100000000", "--every", "10", "--output", dir + "/i.csv"])
        #expect(run.interrupt(after: "simulate: ", with: [SIGTERM, SIGTERM]) == 143, "\(run.stderr)")
        #expect(try Table.readCSV(dir + "/i.csv").rows.count >= 1)
        #expect(try record(dir + "/i.json")["status"] as? String == "interrupted")
    }

    /// Interrupted parallel seeds keep every started seed's rows (only seed 0's were kept).
    @Test func interruptedParallelSeedsKeepEveryStartedSeed() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try RunningSpecgd(["simulate", "--dim", "16", "--seeds", "3", "--jobs", "2", "--steps", "100000000",
                                     "--every", "1000", "--output", dir + "/p.csv"])
        // Both workers must have taken their seed before the signal (under load the second one
        // may not have when the first progress line appears): each worker thread, named by
        // WorkerThreads, has then spent CPU time in its step loop. Taking a seed costs
        // microseconds, so 30 ms of CPU means the seed has started. (Linux: /proc names the threads.)
        #expect(!FileManager.default.fileExists(atPath: "/proc/self/task") || run.waitUntil { run.workerCPUTicks(named: "specgd-seed-").filter { $0 >= 3 }.count >= 2 },
                "worker threads: \(run.workerCPUTicks(named: "specgd-seed-"))")
        #expect(run.interrupt(after: "simulate: ", with: [SIGINT]) == 130, "\(run.stderr)")
        let seeds = try #require(try Table.readCSV(dir + "/p.seeds.csv").column("seed"))
        #expect(Set(seeds) == [0, 1], "seeds kept: \(Set(seeds))")
    }

    /// sweep: 130 on SIGINT (it exited 0), the finished cells kept, and --resume completes it.
    @Test func sweepOnSIGINTKeepsItsCellsAndExits130() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sweep = ["sweep", "--grid", "lambda=0:16:40", "--steps", "40000", "--jobs", "2", "--output-dir", dir + "/s"]
        let run = try RunningSpecgd(sweep)
        func lines() -> Int { ((try? String(contentsOfFile: dir + "/s/cells.csv", encoding: .utf8)) ?? "").filter { $0 == "\n" }.count }
        #expect(run.waitUntil { lines() >= 2 })
        run.send(SIGINT)
        #expect(run.wait(within: 60) == 130, "\(run.stderr)")
        #expect(run.stderr.contains("continue with --resume"), "\(run.stderr)")
        let kept = lines() - 1
        #expect(kept >= 1)
        let resumed = try SpecgdProcess.run(sweep + ["--resume"])
        #expect(resumed.status == 0 && resumed.stdout.contains("\(kept) already done"), "\(resumed.stdout) \(resumed.stderr)")
    }

    /// sweep: a signal during a long cell stops it within a poll (it waited for the cell's end),
    /// a second signal does not skip the write, the finished cell is kept as a complete line,
    /// sweep.json says interrupted, and --resume completes the sweep. Cell 0 (10³ steps) ends at
    /// once; cell 1 (2·10⁷ map steps) runs for seconds (tens in a debug build). The signals go
    /// once cell 1's own steps have moved the progress (a progress line after cell 0's,
    /// SPECGD_PROGRESS_SECONDS=0): it is then demonstrably inside its loop, whatever the
    /// machine's speed. Off a terminal (a pipe here) the progress is plain lines.
    @Test func sweepStopsALongCellPromptlyAndResumes() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sweep = ["sweep", "--grid", "steps=1000,20000000", "--dim", "100", "--jobs", "1", "--output-dir", dir + "/s"]
        let run = try RunningSpecgd(sweep)
        // Off a terminal the progress is plain lines; the first after cell 0 says 1/2, a later
        // one (cell 1's steps) a larger share of the work.
        func insideCell1() -> Bool { run.stderr.components(separatedBy: "sweep: 1/2 cells").count >= 3 }
        #expect(run.waitUntil(insideCell1), "\(run.stderr)")
        let signalled = Date()
        run.send(SIGTERM)
        run.send(SIGTERM)
        let status = run.wait(within: 60)
        let latency = Date().timeIntervalSince(signalled)
        #expect(status == 143, "\(run.stderr)")
        let cells = try String(contentsOfFile: dir + "/s/cells.csv", encoding: .utf8)
        let lines = cells.split(separator: "\n")
        #expect(cells.hasSuffix("\n") && lines.count == 2 && lines[1].hasPrefix("0,"), "only cell 0, whole: \(cells)")
        let json = try record(dir + "/s/sweep.json")
        #expect(json["status"] as? String == "interrupted" && json["lastStep"] as? Int == 1 && json["stopDetail"] as? String == "SIGTERM",
                "\(json)")
        #expect(run.stderr.contains("1 of 2 cells") && run.stderr.contains("continue with --resume"), "\(run.stderr)")
        // Resumed, cell 1 runs to its end: the stop took a small part of what the cell takes
        // (it used to wait for it; the poll is every 65 536 map steps, milliseconds).
        let started = Date()
        let resumed = try SpecgdProcess.run(sweep + ["--resume"], environment: ["SPECGD_PROGRESS_SECONDS": "0"])
        let cellSeconds = Date().timeIntervalSince(started)
        #expect(resumed.status == 0 && resumed.stdout.contains("1 already done, 1 evaluated now"), "\(resumed.stdout) \(resumed.stderr)")
        // The one pending cell's steps moved the lines while it ran; a closing line at the end.
        let progressLines = resumed.stderr.split(separator: "\n")
        #expect(progressLines.contains { $0.hasPrefix("sweep: 0/1 cells (") && $0.contains("ETA") } && progressLines.last?.hasPrefix("sweep: 1/1 cells done in") == true,
                "\(resumed.stderr.suffix(500))")
        #expect(!resumed.stderr.contains("\r") && !resumed.stderr.contains("\u{1B}"), "no bar off a terminal")
        #expect(latency < cellSeconds / 2, "stopped in \(latency) s; the cell takes \(cellSeconds) s")
        #expect(try record(dir + "/s/sweep.json")["status"] as? String == "completed")
    }


    /// running and no temporary file (TERM used to kill it and orphan rsvg-convert).
    @Test func figuresOnSIGTERMKeepsTheFinishedFigures() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") else { return }
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/f"
        let run = try RunningSpecgd(["figures", "--quick", "--format", "png", "--dpi", "600", "--output-dir", out])
        func files() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] }
        #expect(run.waitUntil { files().contains { $0.hasSuffix(".svg") } }, "\(run.stderr)")
        run.send(SIGTERM)
        #expect(run.wait(within: 20) == 143, "\(run.stderr)")
        #expect(run.stderr.contains("figures written to"), "\(run.stderr)")
        #expect(processes(mentioning: out).isEmpty, "left running: \(processes(mentioning: out))")
        #expect(!files().contains { $0.contains(".tmp") }, "\(files())")
        // Every figure left is complete: a conversion cut short takes its figure's SVG with it.
        let svgs = files().filter { $0.hasSuffix(".svg") }
        #expect(svgs.allSatisfy { files().contains($0.dropLast(4) + ".png") }, "\(files())")
    }

    /// figures stopped while computing: 130, and the figures finished before are written.
    @Test func figuresOnSIGINTWhileComputing() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try RunningSpecgd(["figures", "--quick", "--output-dir", dir + "/f"])
        Thread.sleep(forTimeInterval: 1)
        run.send(SIGINT)
        #expect(run.wait(within: 20) == 130, "\(run.stderr)")
        #expect(run.stderr.contains("interrupted (SIGINT)"), "\(run.stderr)")
    }
}
