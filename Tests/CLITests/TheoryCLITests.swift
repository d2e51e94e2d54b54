import Foundation
import SpecgdSupport
import Testing

/// `specgd theory` as a user runs it: outputs, sidecar, and the bad-input table.
@Suite struct TheoryCLITests {
    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func csv(_ path: String) throws -> (header: [String], rows: [[String]]) {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        return (lines[0].components(separatedBy: ","), lines.dropFirst().map { $0.components(separatedBy: ",") })
    }

    @Test func mapRunWritesTrajectoryAndSidecar() throws {
        let directory = try SpecgdProcess.temporaryDirectory()
        let output = directory + "/gd.csv"
        let result = try SpecgdProcess.run(["theory", "--method", "gd", "--lambda", "8", "--dim", "1000", "--alpha", "1e-3",
                                            "--lr", "1e-3", "--steps", "3000", "--every", "100", "--output", output])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("escape (a ≥ 0.5) at step 2323"))
        let table = try Self.csv(output)
        #expect(Array(table.header.prefix(9)) == ["step", "a", "b", "c", "q", "loss", "alignment", "spike_alignment", "T"])
        #expect(table.rows.count == 31)
        #expect(table.rows[0][0] == "0" && table.rows[0][1] == "0.001")
        let record = try Self.json(directory + "/gd.json")
        #expect(record["version"] as? String == SpecgdVersion.string)
        let configuration = try #require(record["configuration"] as? [String: Any])
        #expect(configuration["lambda"] as? Double == 8 && configuration["dynamics"] as? String == "map")
        let summary = try #require(record["summary"] as? [String: Any])
        let escape = try #require(summary["escape"] as? [String: Any])
        #expect(escape["escapeStep"] as? Int == 2323)
        let predictions = try #require(summary["predictions"] as? [String: Any])
        #expect(predictions["rho"] is Double && predictions["lambdaCritical"] is Double)
        // Same configuration → identical CSV bytes.
        let again = directory + "/again.csv"
        _ = try SpecgdProcess.run(["theory", "--method", "gd", "--lambda", "8", "--dim", "1000", "--alpha", "1e-3",
                                   "--lr", "1e-3", "--steps", "3000", "--every", "100", "--output", again])
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == Data(contentsOf: URL(fileURLWithPath: again)))
    }

    @Test func flowRunHasATimeColumnAndBothSwitchingRules() throws {
        let directory = try SpecgdProcess.temporaryDirectory()
        let output = directory + "/flow.csv"
        let result = try SpecgdProcess.run(["theory", "--flow", "--method", "specgd", "--switching", "both", "--stepper", "rk8pd",
                                            "--t-end", "0.5", "--dt", "0.05", "--lr", "1e-3", "--output", output])
        #expect(result.status == 0, "\(result.stderr)")
        let table = try Self.csv(output)
        #expect(table.header.starts(with: ["step", "a", "b", "c", "q", "loss", "alignment", "spike_alignment", "T", "time"]))
        #expect(table.header.contains("a_smoothed"))
        #expect(table.rows.count == 11)
        let time = try #require(table.header.firstIndex(of: "time")), step = try #require(table.header.firstIndex(of: "step"))
        #expect(Double(table.rows[10][time]) == 0.5 && Double(table.rows[10][step]) == 500)
        let summary = try #require(try Self.json(directory + "/flow.json")["summary"] as? [String: Any])
        #expect(summary["smoothedVersusFilippov"] is Double)
    }

    @Test func powerLawAndConfigRunsHavePerGroupColumns() throws {
        let directory = try SpecgdProcess.temporaryDirectory()
        let power = try SpecgdProcess.run(["theory", "--covariance", "power-law", "--beta", "1", "--dim", "5", "--signal-index", "2",
                                           "--steps", "10", "--output", directory + "/p.csv"])
        #expect(power.status == 0, "\(power.stderr)")
        let header = try Self.csv(directory + "/p.csv").header
        #expect(header.contains("s_a") && header.contains("s_e1") && header.contains("s_e5"))
        let config = directory + "/groups.json"
        try #"{"groups":[{"name":"a","eigenvalue":1,"multiplicity":1,"target":1},{"name":"spike","eigenvalue":5,"multiplicity":2},{"name":"rest","eigenvalue":0.5,"multiplicity":50}]}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let custom = try SpecgdProcess.run(["theory", "--config", config, "--steps", "10", "--output", directory + "/c.csv"])
        #expect(custom.status == 0, "\(custom.stderr)")
        #expect(try Self.csv(directory + "/c.csv").header.contains("s_spike"))
        let large = try SpecgdProcess.run(["theory", "--large-d", "--steps", "10", "--output", directory + "/l.csv"])
        #expect(large.status == 0, "\(large.stderr)")
    }

    /// Every bad input: one clear line on stderr, non-zero exit, no output file.
    @Test(arguments: [
        (["--dim", "2"], "dim must be >= 3 (got 2)"),
        (["--lambda", "-1"], "lambda must be > -1"),
        (["--lambda", "-3"], "lambda must be > -1"),
        (["--lr", "0"], "lr must be > 0 (got 0.0)"),
        (["--lr", "-1e-3"], "lr must be > 0"),
        (["--steps", "-1"], "steps must be >= 0 (got -1)"),
        (["--alpha", "nan"], "alpha must be a finite number (got nan)"),
        (["--lambda", "inf"], "lambda must be a finite number"),
        (["--flow", "--stepper", "euler"], "The value 'euler' is invalid for '--stepper"),
        (["--method", "adagrad-x"], "'adagrad-x' is invalid for '--method"),
        (["--config", "/nonexistent/groups.json"], "cannot read config file /nonexistent/groups.json"),
        (["--flow", "--method", "specgd", "--epsilon", "0"], "epsilon must be > 0"),
        (["--covariance", "custom"], "--covariance custom needs --config FILE.json"),
    ])
    func badInputFailsWithOneLine(arguments: [String], message: String) throws {
        let directory = try SpecgdProcess.temporaryDirectory()
        let result = try SpecgdProcess.run(["theory"] + arguments + ["--output", directory + "/x.csv"])
        #expect(result.status != 0)
        let first = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("Error: ") && first.contains(message), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/x.csv"))
    }

    @Test func malformedConfigNamesFileAndProblem() throws {
        let directory = try SpecgdProcess.temporaryDirectory()
        let config = directory + "/bad.json"
        try #"{"groups":[{"name":"a","eigenvalue":1,"target":1}]}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try SpecgdProcess.run(["theory", "--config", config, "--output", directory + "/x.csv"])
        #expect(result.status != 0)
        #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == "Error: config file \(config): missing key 'multiplicity' in groups[0]")
    }

    @Test func divergenceNamesTheStep() throws {
        let directory = try SpecgdProcess.temporaryDirectory()
        let result = try SpecgdProcess.run(["theory", "--method", "gd", "--lr", "5", "--alpha", "1", "--dim", "10",
                                            "--steps", "100", "--output", directory + "/x.csv"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("diverged at step 4"), "\(result.stderr)")
    }

    /// Custom groups named with a comma, quotes and a line break: their `s_<name>` columns are
    /// quoted (RFC 4180), so every line has the header's field count for Python's csv module
    /// (what pandas and the exported notebooks read with) and for specgd's own reader.
    @Test func groupNamesWithCommasQuotesAndLineBreaksGiveAValidCSV() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let groups = #"{"groups":[{"name":"sig","eigenvalue":1,"multiplicity":1,"target":1},"#
            + #"{"name":"x,y \"q\"\nz","eigenvalue":2,"multiplicity":1},{"name":"c","eigenvalue":1,"multiplicity":5}]}"#
        try groups.write(toFile: dir + "/groups.json", atomically: true, encoding: .utf8)
        let result = try SpecgdProcess.run(["theory", "--config", dir + "/groups.json", "--steps", "3", "--every", "1",
                                            "--output", dir + "/t.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let table = try Table.readCSV(dir + "/t.csv")
        #expect(table.columns.contains("s_x,y \"q\"\nz") && table.rows.count == 4, "\(table.columns)")
        guard let python = ExternalTools.python else { return }
        let check = """
        import csv, sys
        rows = list(csv.reader(open(sys.argv[1], newline="")))
        assert len({len(r) for r in rows}) == 1, [len(r) for r in rows]
        print(len(rows), repr(rows[0][rows[0].index("s_sig") + 1]))
        """
        let read = try ExternalTools.run(python, ["-c", check, dir + "/t.csv"])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout == "5 's_x,y \"q\"\\nz'\n", "\(read.stdout)")
    }
}
