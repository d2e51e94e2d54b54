import Foundation
import Testing

/// `specgd sweep`, `merge` and `plot-phase` as a user runs them, including a real crash.
@Suite struct SweepCLITests {
    /// 120 cells; the kill test stops the writer after `killAfter` of them (see below).
    private let slowSweep = ["sweep", "--grid", "lambda=0:16:60", "--grid", "lr=1e-4,2e-4",
                             "--metric", "escape_step,alignment_at_escape,final_loss",
                             "--steps", "40000", "--jobs", "2"]
    private let killAfter = 6

    private func cells(_ directory: String) -> String {
        (try? String(contentsOfFile: directory + "/cells.csv", encoding: .utf8)) ?? ""
    }

    private func completeLines(_ directory: String) -> Int {
        cells(directory).filter { $0 == "\n" }.count - 1
    }

    @Test func killedSweepResumesToTheUninterruptedResult() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        let interrupted = root + "/interrupted", reference = root + "/reference"

        // Independent of the machine's speed: SPECGD_TEST_STALL_AFTER_CELLS makes the cells
        // writer stop (synced, process alive) after exactly `killAfter` cells, so the sweep can
        // neither finish before the kill nor be killed before it wrote anything; the deadline
        // is only a hang guard, generous for a slow debug build on a loaded machine.
        let process = Process()
        process.executableURL = SpecgdProcess.executable
        process.arguments = slowSweep + ["--output-dir", interrupted]
        var environment = ProcessInfo.processInfo.environment
        environment["SPECGD_TEST_STALL_AFTER_CELLS"] = "\(killAfter)"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(600)
        while completeLines(interrupted) < killAfter && process.isRunning && Date() < deadline { usleep(20_000) }
        #expect(process.isRunning, "the sweep exited before its writer stalled")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(completeLines(interrupted) == killAfter, "killed with \(completeLines(interrupted)) cells written")

        // Without --resume the half-done directory is refused; with it the sweep completes.
        let refused = try SpecgdProcess.run(slowSweep + ["--output-dir", interrupted])
        #expect(refused.status != 0 && refused.stderr.contains("--resume"))
        let resumed = try SpecgdProcess.run(slowSweep + ["--output-dir", interrupted, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("already done"))

        let uninterrupted = try SpecgdProcess.run(slowSweep + ["--output-dir", reference, "--jobs", "1"])
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let result = cells(interrupted)
        #expect(result == cells(reference))
        // Complete, each cell once, in order.
        let indices = result.split(separator: "\n").dropFirst().map { Int($0.split(separator: ",")[0])! }
        #expect(indices == Array(0..<120))
    }

    @Test func shardsMergedByTheCLIEqualTheSingleRun() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        let sweep = ["sweep", "--grid", "lambda=0:16:5", "--grid", "lr=1e-3:1e-1:3:log", "--grid", "dim=50,500",
                     "--metric", "escape_ratio,amplification", "--steps", "3000"]
        #expect(try SpecgdProcess.run(sweep + ["--output-dir", root + "/whole"]).status == 0)
        for i in 1...3 {
            let run = try SpecgdProcess.run(sweep + ["--shard", "\(i)/3", "--output-dir", root + "/shard-\(i)"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let incomplete = try SpecgdProcess.run(["merge", root + "/shard-1", root + "/shard-3"])
        #expect(incomplete.status != 0 && incomplete.stderr.contains("missing shard 2/3"), "\(incomplete.stderr)")
        let merged = try SpecgdProcess.run(["merge", root + "/shard-1", root + "/shard-2", root + "/shard-3"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(cells(root + "/merged") == cells(root + "/whole"))
        #expect(cells(root + "/whole").split(separator: "\n").count == 31)
    }

    @Test func plotPhaseWritesTheFigureAndItsData() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        let sweep = try SpecgdProcess.run(["sweep", "--grid", "lambda=0:8:9", "--grid", "lr=1e-3:1e-1:4:log",
                                           "--metric", "alignment_at_escape,amplification", "--steps", "2000",
                                           "--output-dir", root + "/phase"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let plot = try SpecgdProcess.run(["plot-phase", root + "/phase", "--metric", "amplification", "--log-color"])
        #expect(plot.status == 0, "\(plot.stderr)")
        let svg = (try? String(contentsOfFile: root + "/phase/phase-amplification.svg", encoding: .utf8)) ?? ""
        #expect(svg.hasPrefix("<?xml") && svg.contains("<svg") && svg.contains("ρ = 1"))
        let csv = (try? String(contentsOfFile: root + "/phase/phase-amplification.csv", encoding: .utf8)) ?? ""
        #expect(csv.hasPrefix("lambda,lr,amplification,status\n") && csv.split(separator: "\n").count == 37)
        #expect(FileManager.default.fileExists(atPath: root + "/phase/phase-amplification.json"))
        // Two sweep directories: the comparison's three panels and its CSV; three are refused.
        let spec = try SpecgdProcess.run(["sweep", "--grid", "lambda=0:8:9", "--grid", "lr=1e-3:1e-1:4:log", "--method", "specgd",
                                          "--metric", "alignment_at_escape,amplification", "--steps", "2000",
                                          "--output-dir", root + "/spec"])
        #expect(spec.status == 0, "\(spec.stderr)")
        let compare = try SpecgdProcess.run(["plot-phase", root + "/phase", root + "/spec", "--metric", "amplification", "--log-color"])
        #expect(compare.status == 0, "\(compare.stderr)")
        let compared = (try? String(contentsOfFile: root + "/phase/phase-amplification-compare.csv", encoding: .utf8)) ?? ""
        #expect(compared.hasPrefix("lambda,lr,amplification_1,amplification_2,ratio,status\n"))
        let three = try SpecgdProcess.run(["plot-phase", root + "/phase", root + "/spec", root + "/phase"])
        #expect(three.status == 64, "\(three.stderr)")
        let wrong = try SpecgdProcess.run(["plot-phase", root + "/phase", "--metric", "final_loss"])
        #expect(wrong.status != 0 && wrong.stderr.contains("not in this sweep"), "\(wrong.stderr)")
        let noSweep = try SpecgdProcess.run(["plot-phase", root])
        #expect(noSweep.status != 0 && noSweep.stderr.contains("not a sweep directory"), "\(noSweep.stderr)")
    }

    /// Muon as practised against exact SpecGD with the same momentum, from the command line: the
    /// record keeps the optimizer and the ratio; each ratio is two `specgd theory` runs' escape steps.
    @Test func optimizerSweepAndItsRatio() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        let muon = ["--method", "specgd", "--polar", "ns5", "--momentum", "0.95", "--nesterov", "--dim", "100", "--steps", "2000"]
        let made = try SpecgdProcess.run(["sweep"] + muon + ["--grid", "lambda=2,8", "--grid", "lr=1e-3,1e-2",
                                          "--metric", "escape_ratio", "--ratio", "specgd/svd", "--output-dir", root + "/muon"])
        #expect(made.status == 0, "\(made.stderr)")
        let record = try String(contentsOfFile: root + "/muon/sweep.json", encoding: .utf8)
        #expect(record.contains("\"ratio\" : \"specgd/svd\"") && record.contains("\"polar\" : \"ns5\""))
        func escape(_ options: [String]) throws -> Double {
            let out = root + "/t.csv"
            let run = try SpecgdProcess.run(["theory"] + options + ["--lambda", "8", "--lr", "1e-2", "--output", out])
            #expect(run.status == 0, "\(run.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/t.json"))) as! [String: Any]
            let escape = ((json["summary"] as! [String: Any])["escape"] as! [String: Any])["escapeStep"] as! Int
            return Double(escape)
        }
        let exact = ["--method", "specgd", "--momentum", "0.95", "--nesterov", "--dim", "100", "--steps", "2000"]
        let expected = try escape(muon) / escape(exact)
        let last = try String(contentsOfFile: root + "/muon/cells.csv", encoding: .utf8).split(separator: "\n").last!
        #expect(Double(last.split(separator: ",")[4]) == expected, "\(last)")
    }

    /// A method axis: words in cells.csv, refused as a heatmap axis in one line, drawn side by
    /// side with --split.
    @Test func methodAxisAndSplit() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        let made = try SpecgdProcess.run(["sweep", "--grid", "method=gd,specgd", "--grid", "lambda=1,8", "--grid", "lr=1e-3,1e-2",
                                          "--dim", "100", "--steps", "3000", "--metric", "escape_step", "--output-dir", root + "/m"])
        #expect(made.status == 0, "\(made.stderr)")
        let cells = try String(contentsOfFile: root + "/m/cells.csv", encoding: .utf8)
        #expect(cells.contains(",gd,1,0.001,") && cells.contains(",specgd,8,0.01,"))
        for (arguments, message) in [
            (["--x", "method"], "'method' is a name axis and cannot be x or y"),
            ([String](), "axis 'method' has 2 values"),
            (["--split", "lambda"], "--split lambda: a numeric axis"),
            (["--split", "method=gd,adam"], "'adam' is not a value of the axis"),
            (["--at", "method=gd", "--stat", "q90"], "no statistic to choose"),
            (["--split", "method", "--at", "method=gd"], "name the same axis"),
        ] {
            let result = try SpecgdProcess.run(["plot-phase", root + "/m"] + arguments)
            #expect(result.status == 1 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(result.stderr)")
        }
        let split = try SpecgdProcess.run(["plot-phase", root + "/m", "--split", "method", "--metric", "escape_step"])
        #expect(split.status == 0, "\(split.stderr)")
        let csv = try String(contentsOfFile: root + "/m/phase-escape_step-by-method.csv", encoding: .utf8)
        #expect(csv.hasPrefix("lambda,lr,escape_step_1,escape_step_2,ratio,status\n"))
        let svg = try String(contentsOfFile: root + "/m/phase-escape_step-by-method.svg", encoding: .utf8)
        #expect(svg.contains("SpecGD / GD"))
        let fixed = try SpecgdProcess.run(["plot-phase", root + "/m", "--at", "method=specgd"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
    }

    @Test func badInputIsAOneLineError() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        for (arguments, message) in [
            (["sweep", "--grid", "gamma=1:2:3"], "unknown grid axis 'gamma'"),
            (["sweep", "--grid", "lr=0:1:3:log"], "a log range needs start > 0"),
            (["sweep", "--grid", "lambda=1,2", "--metric", "speed"], "The value 'speed' is invalid for '--metric"),
            (["sweep", "--grid", "lambda=1,2", "--shard", "3/2"], "--shard I/N needs 1 <= I <= N"),
            (["sweep", "--grid", "lambda=1,2", "--mode", "theory", "--width", "5"], "--width applies to --mode simulate only"),
            (["sweep", "--mode", "simulate", "--grid", "width=4,12", "--dim", "12"],
             "cell 0 (width=4): --init identity needs width m = dim d"),
        ] {
            let result = try SpecgdProcess.run(arguments + ["--output-dir", root + "/x"])
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1,
                    "\(result.stderr)")
        }
        // Refused before anything was written.
        #expect(!FileManager.default.fileExists(atPath: root + "/x"))
        let help = try SpecgdProcess.run(["sweep", "--help"])
        #expect(help.stdout.contains("--grid") && help.stdout.contains("--resume") && help.stdout.contains("--shard"))
    }
}
