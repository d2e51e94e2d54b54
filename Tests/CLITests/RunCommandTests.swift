import Model
import ArgumentParser
import Foundation
@testable import SpecgdCLI
import SpecgdSupport
import Testing

/// `specgd run FILE`: experiment files mapped to command lines (in-process), checked before any
/// step runs, run into one folder with the same outputs as the commands run by hand.
@Suite struct RunCommandTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// FILE (named `name` in a fresh folder) holding `text`; the folder.
    private func write(_ text: String, name: String = "exp.yaml") throws -> (file: String, folder: String) {
        let folder = try SpecgdProcess.temporaryDirectory()
        let file = folder + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return (file, folder)
    }

    private func plan(_ text: String, name: String = "exp.yaml", overrides: [String] = []) throws -> ExperimentPlan {
        let (file, folder) = try write(text, name: name)
        return try ExperimentPlan(file: file, directory: folder + "/out", overrides: overrides)
    }

    /// The refusal of FILE (nil when it runs); the directory it would have written.
    private func refusal(_ text: String) throws -> (failure: RunCommand.RunFailure?, out: String) {
        let (file, folder) = try write(text)
        do {
            try RunCommand.perform(file: file, directory: folder + "/out")
            return (nil, folder + "/out")
        } catch let failure as RunCommand.RunFailure {
            return (failure, folder + "/out")
        }
    }

    private func record(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }

    @Test func defaultsGoToTheStepsWhoseCommandHasThem() throws {
        let plan = try plan("""
            defaults: {dim: 100, lr: 1e-3, seeds: 2, wall-time: false}
            steps:
              - command: theory
                options: {output: t.csv}
              - command: simulate
                options: {dim: 16, lr: null, output: s.csv}
            """)
        let out = plan.directory
        // theory has neither --seeds nor --wall-time; the step's dim wins, null drops lr.
        #expect(plan.steps[0].arguments == ["theory", "--dim", "100", "--lr", "1e-3", "--output", out + "/t.csv"])
        #expect(plan.steps[1].arguments == ["simulate", "--dim", "16", "--seeds", "2", "--no-wall-time", "--output", out + "/s.csv"])
    }

    @Test func listsBooleansPositionalsAndPaths() throws {
        let plan = try plan("""
            steps:
              - command: sweep
                options: {grid: ['lambda=0:8:3', 'lr=1e-3:1e-2:2:log'], metric: [escape_step, final_loss], resume: false, output-dir: phase}
              - command: compare
                options: {methods: [gd, specgd], online: true, output-dir: compare}
              - command: plot-phase
                arguments: [phase]
                options: {log-color: true, at: [dim=100], output-dir: .}
              - command: theory
                options: {config: groups.json, flow: false, output: t.csv}
            """)
        let out = plan.directory, folder = (out as NSString).deletingLastPathComponent
        // Repeatable options once per element; resume: false has no --no- form, so nothing.
        #expect(plan.steps[0].arguments == ["sweep", "--grid", "lambda=0:8:3", "--grid", "lr=1e-3:1e-2:2:log",
                                            "--metric", "escape_step", "--metric", "final_loss", "--output-dir", out + "/phase"])
        // A comma list joined.
        #expect(plan.steps[1].arguments == ["compare", "--methods", "gd,specgd", "--online", "--output-dir", out + "/compare"])
        #expect(plan.steps[2].arguments == ["plot-phase", out + "/phase", "--log-color", "--at", "dim=100", "--output-dir", out])
        // --config is read next to the experiment file.
        #expect(plan.steps[3].arguments == ["theory", "--config", folder + "/groups.json", "--output", out + "/t.csv"])
    }

    /// A path takes one value: a list there is refused, not joined into a file named "a.csv,b.csv".
    @Test func aListForAPathIsRefused() throws {
        for key in ["output", "spectrum", "output-dir"] {
            let command = key == "output-dir" ? "compare" : "theory"
            do {
                _ = try plan("""
                    steps:
                      - command: \(command)
                        options: {\(key): [a.csv, b.csv]}
                    """)
                Issue.record("\(key): a list was accepted")
            } catch let error as InputError {
                #expect(error.message.contains("'\(key)' takes one path (got a list of 2: a.csv, b.csv)"), "\(error.message)")
            }
        }
    }

    @Test func jsonFilesAreRead() throws {
        let yaml = try plan("""
            name: same
            defaults: {dim: 64}
            steps:
              - {command: simulate, name: s, options: {methods: [gd], seeds: 2, online: true, output: s.csv}}
            """)
        let json = try plan("{\n\t\"name\": \"same\",\n\t\"defaults\": {\"dim\": 64},\n\t\"steps\": [{\"command\": \"simulate\", \"name\": \"s\",\n\t\t\"options\": {\"methods\": [\"gd\"], \"seeds\": 2, \"online\": true, \"output\": \"s.csv\"}}]\n}\n",
                            name: "exp.json")
        #expect(json.experiment == yaml.experiment)
        let relative = { (plan: ExperimentPlan) in plan.steps.map { $0.arguments.map { $0.replacingOccurrences(of: plan.directory, with: "OUT") } } }
        #expect(relative(json) == relative(yaml))
    }

    @Test func setReplacesADefault() throws {
        let plan = try plan("""
            defaults: {dim: 100}
            steps:
              - {command: figures, options: {output-dir: f}}
              - {command: theory, options: {output: t.csv}}
            """, overrides: ["dim=50", "quick=true"])
        #expect(plan.steps[0].arguments == ["figures", "--quick", "--output-dir", plan.directory + "/f"])
        #expect(plan.steps[1].arguments == ["theory", "--dim", "50", "--output", plan.directory + "/t.csv"])
    }

    @Test func setChangesOneStepByNameOrNumber() throws {
        let text = """
            defaults: {dim: 100}
            steps:
              - {command: theory, name: gd, options: {method: gd, output: gd.csv}}
              - {command: theory, name: spec.gd, options: {method: specgd, lr: 0.01, output: specgd.csv}}
            """
        let plan = try plan(text, overrides: ["spec.gd.lr=0.02", "1.steps=50", "dim=60"])
        #expect(plan.steps[0].arguments == ["theory", "--dim", "60", "--method", "gd", "--output", plan.directory + "/gd.csv", "--steps", "50"])
        #expect(plan.steps[1].arguments == ["theory", "--dim", "60", "--method", "specgd", "--lr", "0.02", "--output", plan.directory + "/specgd.csv"])
        // A step's flag, as the file would give it.
        let flagged = try self.plan(text, overrides: ["gd.flow=true"])
        #expect(flagged.steps[0].arguments.contains("--flow") && !flagged.steps[1].arguments.contains("--flow"))
    }

    /// A mistyped step or key of --set is one line naming what it probably meant.
    @Test func setMistakesSayWhatWasMeant() throws {
        let text = """
            steps:
              - {command: theory, name: gd, options: {output: gd.csv}}
              - {command: simulate, name: dense, options: {output: dense.csv}}
            """
        let cases: [([String], String)] = [
            (["dense.seeeds=3"], "--set dense.seeeds=3: 'seeeds' is not an option of step 2 (dense), a simulate step (did you mean 'seeds'?)"),
            (["dens.seeds=3"], "--set dens.seeds=3: no step is named 'dens' (did you mean 'dense'?) (steps: gd, dense; or numbers 1…2)"),
            (["7.seeds=3"], "--set 7.seeds=3: no step is named '7' (steps: gd, dense; or numbers 1…2)"),
            (["gd.online=true"], "'online' is not an option of step 1 (gd), a theory step"),
            (["dimm=30"], "--set dimm: 'dimm' is not an option of any step's command (simulate, theory) (did you mean 'dim'?)"),
            (["dense.=3"], "--set expects STEP.key=value"),
            (["lr"], "--set expects key=value or STEP.key=value"),
        ]
        for (overrides, expected) in cases {
            #expect(throws: InputError.self) { try self.plan(text, overrides: overrides) }
            do { _ = try plan(text, overrides: overrides) } catch let error as InputError {
                #expect(error.message.contains(expected) && !error.message.contains("\n"), "\(overrides): \(error.message)")
            }
        }
    }

    /// --force reruns into a folder an earlier run wrote, replacing exactly its files; a folder
    /// with anything else (or no run.json) is still refused, and a refused rerun removes nothing.
    @Test func forceReplacesAnEarlierRunsOutputsOnly() throws {
        let fm = FileManager.default
        let (file, folder) = try write("""
            steps:
              - {command: theory, name: a, options: {dim: 30, steps: 10, output: sub/a.csv}}
            """)
        let out = folder + "/out"
        try RunCommand.perform(file: file, directory: out)
        #expect(throws: RunCommand.RunFailure.self) { try RunCommand.perform(file: file, directory: out) }
        do { try RunCommand.perform(file: file, directory: out) } catch let failure as RunCommand.RunFailure {
            #expect(failure.message?.contains("pass --force to replace the outputs of an earlier `specgd run`") == true)
        }
        // Rerun with another value: the file is rewritten, run.json lists it again.
        try RunCommand.perform(file: file, directory: out, overrides: ["a.steps=12", "a.every=1"], force: true)
        let rows = try String(contentsOfFile: out + "/sub/a.csv", encoding: .utf8).split(separator: "\n").count
        #expect(rows == 1 + 13, "header and steps 0…12")
        let steps = try #require((try record(out + "/run.json")["summary"] as? [String: Any])?["steps"] as? [[String: Any]])
        #expect(steps.first?["outputs"] as? [String] == ["sub/a.csv", "sub/a.json"])

        // A refused step leaves the earlier outputs in place.
        #expect(throws: RunCommand.RunFailure.self) {
            try RunCommand.perform(file: file, directory: out, overrides: ["a.dim=2"], force: true)
        }
        #expect(fm.fileExists(atPath: out + "/sub/a.csv") && fm.fileExists(atPath: out + "/run.json"))

        // A file the run did not write: refused, named, nothing removed.
        try Data("notes".utf8).write(to: URL(fileURLWithPath: out + "/sub/notes.txt"))
        do {
            try RunCommand.perform(file: file, directory: out, force: true)
            Issue.record("a folder with a stray file was replaced")
        } catch let failure as RunCommand.RunFailure {
            #expect(failure.message?.contains("holds files its run.json does not list (sub/notes.txt)") == true, "\(failure)")
        }
        #expect(fm.fileExists(atPath: out + "/sub/a.csv"))

        // A folder no run wrote.
        let other = folder + "/other"
        try fm.createDirectory(atPath: other, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: other + "/x.csv"))
        do {
            try RunCommand.perform(file: file, directory: other, force: true)
            Issue.record("a folder without run.json was replaced")
        } catch let failure as RunCommand.RunFailure {
            #expect(failure.message?.contains("holds no run.json of an earlier `specgd run`") == true, "\(failure)")
        }
        #expect(fm.fileExists(atPath: other + "/x.csv"))
    }

    @Test func onlyRunsTheNamedStepsAndChecksThemAll() throws {
        let (file, folder) = try write("""
            steps:
              - {command: theory, name: a, options: {dim: 30, steps: 10, output: a.csv}}
              - {command: theory, name: b, options: {dim: 30, steps: 10, output: b.csv}}
              - {command: theory, options: {dim: 30, steps: 10, output: c.csv}}
            """)
        try RunCommand.perform(file: file, directory: folder + "/out", only: ["b", "3"])
        let fm = FileManager.default
        #expect(!fm.fileExists(atPath: folder + "/out/a.csv") && fm.fileExists(atPath: folder + "/out/b.csv") && fm.fileExists(atPath: folder + "/out/c.csv"))
        let summary = try #require(try record(folder + "/out/run.json")["summary"] as? [String: Any])
        #expect(summary["status"] as? String == "completed")
        #expect((summary["steps"] as? [[String: Any]])?.map { $0["status"] as? String } == ["not-run", "completed", "completed"])
        #expect(throws: RunCommand.RunFailure.self) { try RunCommand.perform(file: file, directory: folder + "/other", only: ["z"]) }
    }

    @Test func aBadStepIsRefusedBeforeTheFirstRuns() throws {
        let steps = """
            steps:
              - {command: theory, options: {dim: 30, steps: 10, output: a.csv}}
              - {command: theory, options: {dim: 30, steps: 10, output: b.csv}}
              - {command: theory, name: third, options: {dimm: 30, output: sub/c.csv}}
            """
        let (unknown, out) = try refusal(steps)
        #expect(unknown?.exitCode == 64, "\(String(describing: unknown))")
        #expect(unknown?.message?.hasSuffix("step 3 (third): Unknown option '--dimm'. Did you mean '--dim'? (see 'specgd theory --help')") == true,
                "\(String(describing: unknown))")
        // Nothing ran, nothing is left: not even the folders made for the outputs.
        #expect(!FileManager.default.fileExists(atPath: out))

        let (badValue, _) = try refusal(steps.replacingOccurrences(of: "dimm: 30", with: "dim: 2"))
        #expect(badValue?.exitCode == 1)
        #expect(badValue?.message?.hasSuffix("step 3 (third): --dim must be >= 3 (got 2)") == true, "\(String(describing: badValue))")

        let (flag, _) = try refusal(steps.replacingOccurrences(of: "dimm: 30", with: "flow: 3"))
        #expect(flag?.message?.hasSuffix("step 3 (third): 'flow' is a flag of theory: give true or false (got '3')") == true)
    }

    /// A step cannot write (or take as an earlier step's output) anything outside the run folder:
    /// `..`, an absolute path elsewhere, a symbolic link out of it; refused in one line naming the
    /// step and the key, before any step runs. An absolute path inside the folder is kept.
    @Test func pathsLeavingTheRunFolderAreRefused() throws {
        let fm = FileManager.default
        let root = try SpecgdProcess.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let outside = try SpecgdProcess.temporaryDirectory()
        defer { try? fm.removeItem(atPath: outside) }
        let cases: [(options: String, message: String)] = [
            ("{command: theory, options: {steps: 5, output: ../escaped.csv}}", "output '../escaped.csv' is outside the run folder"),
            ("{command: compare, options: {dim: 8, steps: 5, output-dir: ../escaped-dir}}", "output-dir '../escaped-dir' is outside the run folder"),
            ("{command: theory, options: {steps: 5, output: sub/../../escaped.csv}}", "output 'sub/../../escaped.csv' is outside"),
            ("{command: theory, options: {steps: 5, output: \(outside)/escaped.csv}}", "output '\(outside)/escaped.csv' is outside"),
            ("{command: report, arguments: [..]}", "arguments '..' is outside the run folder"),
            ("{command: theory, options: {steps: 5, output: link/escaped.csv}}", "output 'link/escaped.csv' is outside the run folder"),
        ]
        for (index, (step, message)) in cases.enumerated() {
            let folder = root + "/case\(index)"
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: false)
            let file = folder + "/exp.yaml"
            try Data("steps:\n  - {command: theory, options: {steps: 5, output: fine.csv}}\n  - \(step)\n".utf8).write(to: URL(fileURLWithPath: file))
            let out = folder + "/out"
            if step.contains("link/") {
                // The run folder holds a link out of it (a folder that is not empty is refused too,
                // but the path is checked first).
                try fm.createDirectory(atPath: out, withIntermediateDirectories: false)
                try fm.createSymbolicLink(atPath: out + "/link", withDestinationPath: outside)
            }
            do {
                try RunCommand.perform(file: file, directory: out)
                Issue.record("\(step) ran")
            } catch let failure as RunCommand.RunFailure {
                #expect(failure.exitCode == 1)
                let line = failure.message ?? ""
                #expect(line.hasPrefix(file + ": step 2: ") && line.contains(message) && !line.contains("\n"), "\(line)")
            }
            // Nothing ran: not even the first step; nothing outside.
            #expect(!fm.fileExists(atPath: out + "/fine.csv") && !fm.fileExists(atPath: out + "/run.json"))
            #expect(!fm.fileExists(atPath: folder + "/escaped.csv") && !fm.fileExists(atPath: folder + "/escaped-dir"))
            #expect(try fm.contentsOfDirectory(atPath: outside).isEmpty)
        }
        // Inside: an absolute path into the folder, and `..` that stays in it.
        let (file, folder) = try write("steps:\n  - {command: theory, options: {steps: 5, output: a/../t.csv}}\n")
        defer { try? fm.removeItem(atPath: folder) }
        try Data("steps:\n  - {command: theory, options: {steps: 5, output: \(folder)/out/abs/t.csv}}\n  - {command: theory, options: {steps: 5, output: a/../t.csv}}\n".utf8)
            .write(to: URL(fileURLWithPath: file))
        try RunCommand.perform(file: file, directory: folder + "/out")
        #expect(fm.fileExists(atPath: folder + "/out/abs/t.csv") && fm.fileExists(atPath: folder + "/out/t.csv"))
    }

    @Test func fileMistakesAreOneLine() throws {
        let cases: [(String, String)] = [
            ("defaults: {dimx: 3}\nsteps: [{command: theory, options: {output: a.csv}}]",
             "defaults: 'dimx' is not an option of any step's command (theory)"),
            ("steps: [{command: theroy}]", "step 1: unknown command 'theroy'"),
            ("steps: [{command: run}]", "step 1: unknown command 'run'"),
            ("steps: [{command: theory, option: {}}]", "step 1: unknown key 'option'"),
            ("steps: []", "'steps' must be a non-empty list"),
            ("steps: [\n", "not valid YAML or JSON: line 2"),
            ("steps: [{command: theory, options: {--dim: 3}}]", "write option names without dashes"),
            ("steps: [{command: theory, options: {output: a.csv}}, {command: theory, options: {output: ./a.csv}}]",
             "step 2 writes"),
        ]
        for (text, expected) in cases {
            let (failure, _) = try refusal(text)
            #expect(failure?.exitCode == 1, "\(text)")
            #expect(failure?.message?.contains(expected) == true, "\(text): \(String(describing: failure?.message))")
            #expect(failure?.message?.contains("\n") == false)
        }
    }

    @Test func stepsWriteInsideTheFolderWithTheirOwnCommandLines() throws {
        let (file, folder) = try write("""
            name: small
            defaults: {dim: 30, steps: 200, lr: 0.01}
            steps:
              - {command: theory, name: gd, options: {output: theory/gd.csv}}
              - {command: sweep, name: phase, options: {grid: ['lambda=0:8:3'], output-dir: phase, jobs: 1}}
              - {command: plot-phase, arguments: [phase], options: {x: lambda, y: lambda}}
            """)
        let out = folder + "/out"
        // plot-phase of a one-axis sweep is refused when it runs (its check needs the sweep).
        do {
            try RunCommand.perform(file: file, directory: out)
            Issue.record("plot-phase of a one-axis sweep runs")
        } catch let failure as RunCommand.RunFailure {
            #expect(failure.message?.hasSuffix("step 3: a phase diagram needs two grid axes; this sweep has only 'lambda'") == true, "\(failure)")
        }
        let run = try record(out + "/run.json")
        #expect(run["kind"] as? String == "run")
        #expect(run["command"] as? String != nil)
        let summary = try #require(run["summary"] as? [String: Any])
        let steps = try #require(summary["steps"] as? [[String: Any]])
        #expect(summary["status"] as? String == "failed")
        #expect(summary["completed"] as? Int == 2)
        #expect(steps.map { $0["status"] as? String } == ["completed", "completed", "failed"])
        #expect(steps[0]["outputs"] as? [String] == ["theory/gd.csv", "theory/gd.json"])
        #expect(steps[1]["outputs"] as? [String] == ["phase/cells.csv", "phase/sweep.json"])
        #expect((steps[2]["error"] as? String)?.isEmpty == false)
        let configured = try #require((run["configuration"] as? [String: Any])?["steps"] as? [[String: Any]])
        let theoryLine = "specgd theory --dim 30 --steps 200 --lr 0.01 --output \(out)/theory/gd.csv"
        #expect(configured[0]["command"] as? String == theoryLine)
        // The step's own record names the line that does the same from a shell.
        #expect(try record(out + "/theory/gd.json")["command"] as? String == theoryLine)
        #expect(try record(out + "/phase/sweep.json")["command"] as? String == configured[1]["command"] as? String)
    }

    /// The figure set from examples/paper-figures.yaml (at --quick sizes) is byte for byte what
    /// the recorded command lines write when run by hand, one process each.
    @Test func paperFigureSetRunsFromItsFileAsTheCommandsDo() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = Self.repository + "/examples/paper-figures.yaml"
        let quick = ["quick=true", "seeds=2", "dim=16"]
        try RunCommand.perform(file: file, directory: root + "/run", overrides: quick)
        let run = try record(root + "/run/run.json")
        let lines = try #require((run["configuration"] as? [String: Any])?["steps"] as? [[String: Any]]).compactMap { $0["command"] as? String }
        #expect(lines.map { $0.split(separator: " ")[1] } == ["figures", "check-escape", "sweep", "plot-phase", "export-notebook"])
        for line in lines {
            #expect(!line.contains("'"), "plain words only, so splitting on spaces is the shell's reading")
            let words = line.split(separator: " ").dropFirst().map { $0.replacingOccurrences(of: root + "/run", with: root + "/direct") }
            if words[0] == "figures" { try FileManager.default.createDirectory(atPath: root + "/direct", withIntermediateDirectories: false) }
            let result = try SpecgdProcess.run(words)
            #expect(result.status == 0, "\(words): \(result.stderr)")
        }
        let files = (FileManager.default.subpaths(atPath: root + "/run") ?? []).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".svg") }.sorted()
        #expect(files.count >= 20)
        #expect(files == (FileManager.default.subpaths(atPath: root + "/direct") ?? []).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".svg") }.sorted())
        for path in files {
            let a = try Data(contentsOf: URL(fileURLWithPath: root + "/run/" + path))
            let b = try Data(contentsOf: URL(fileURLWithPath: root + "/direct/" + path))
            #expect(a == b, "\(path) differs")
        }
        let summary = try #require(run["summary"] as? [String: Any])
        #expect(summary["status"] as? String == "completed")
    }

    @Test func interruptKeepsTheCompletedSteps() throws {
        let (file, folder) = try write("""
            steps:
              - {command: theory, name: short, options: {dim: 30, steps: 100, output: a.csv}}
              - {command: theory, name: long, options: {dim: 100, lr: 1e-6, steps: 100000000000, every: 100000, output: b.csv}}
              - {command: theory, name: never, options: {dim: 30, steps: 100, output: c.csv}}
            """)
        let out = folder + "/out"
        let run = try RunningSpecgd(["run", file, "--output-dir", out])
        #expect(run.waitForStderr("theory: "), "\(run.stderr)")
        #expect(run.waitForStderr("step 2 (long)"), "\(run.stderr)")
        Thread.sleep(forTimeInterval: 0.3)
        run.send(SIGINT)
        #expect(run.wait() == 130, "\(run.stderr)")
        let steps = try #require((try record(out + "/run.json")["summary"] as? [String: Any])?["steps"] as? [[String: Any]])
        #expect(steps.map { $0["status"] as? String } == ["completed", "interrupted", "not-run"])
        #expect(FileManager.default.fileExists(atPath: out + "/a.csv") && FileManager.default.fileExists(atPath: out + "/b.csv"))
        #expect(!FileManager.default.fileExists(atPath: out + "/c.csv"))
        #expect(try record(out + "/b.json")["status"] as? String == "interrupted")
    }
}
