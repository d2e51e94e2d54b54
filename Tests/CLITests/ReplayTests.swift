import Foundation
import SpecgdSupport
import Testing

/// `specgd replay` as a user runs it: a record's outputs come back byte for byte.
@Suite struct ReplayTests {
    private func bytes(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    private func run(_ arguments: [String]) throws -> SpecgdProcess.Result {
        let result = try SpecgdProcess.run(arguments)
        #expect(result.status == 0, "specgd \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    private func record(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try bytes(path)) as? [String: Any] ?? [:]
    }

    @Test func theoryRecordReplaysToTheSameCSV() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        _ = try run(["theory", "--method", "gd", "--lambda", "8", "--dim", "100", "--steps", "300", "--every", "10",
                     "--output", root + "/gd.csv"])
        _ = try run(["replay", root + "/gd.json"])
        #expect(try bytes(root + "/replay-gd/gd.csv") == bytes(root + "/gd.csv"))
        let replayed = try record(root + "/replay-gd/gd.json")
        #expect(replayed["command"] as? String == "specgd replay \(root)/gd.json")
        let source = replayed["replayOf"] as? [String: Any]
        #expect(source?["path"] as? String == root + "/gd.json")
        #expect(source?["createdAt"] as? String == (try record(root + "/gd.json"))["createdAt"] as? String)
        #expect(NSDictionary(dictionary: replayed["configuration"] as? [String: Any] ?? [:])
            == NSDictionary(dictionary: (try record(root + "/gd.json"))["configuration"] as? [String: Any] ?? [:]))

        // Existing outputs are refused.
        let again = try SpecgdProcess.run(["replay", root + "/gd.json"])
        #expect(again.status != 0)
        #expect(again.stderr.split(separator: "\n").count == 1)
        #expect(again.stderr.contains("exists"))
    }

    @Test func multiSeedSimulateRecordReplaysToTheSameCSVs() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        _ = try run(["simulate", "--method", "specgd", "--lambda", "8", "--dim", "16", "--lr", "1e-3", "--steps", "60",
                     "--every", "5", "--seeds", "3", "--no-wall-time", "--output", root + "/run.csv"])
        let result = try run(["replay", root + "/run.json", "--output-dir", root + "/again", "--jobs", "2"])
        #expect(result.stderr.isEmpty)
        #expect(try bytes(root + "/again/run.csv") == bytes(root + "/run.csv"))
        #expect(try bytes(root + "/again/run.seeds.csv") == bytes(root + "/run.seeds.csv"))
        #expect((try record(root + "/again/run.json"))["replayOf"] != nil)
    }

    @Test func wallTimeIsTurnedOffWithOneLine() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        _ = try run(["simulate", "--dim", "8", "--steps", "20", "--every", "5", "--output", root + "/w.csv"])
        let result = try run(["replay", root + "/w.json"])
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("wall time"))
        let configuration = (try record(root + "/replay-w/w.json"))["configuration"] as? [String: Any]
        #expect(configuration?["recordWallTime"] as? Bool == false)
    }

    @Test func sweepRecordReplaysToTheSameCells() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        _ = try run(["sweep", "--grid", "lambda=0:8:3", "--grid", "lr=1e-3,2e-3", "--metric", "escape_step,final_loss",
                     "--dim", "50", "--steps", "200", "--jobs", "2", "--output-dir", root + "/phase"])
        _ = try run(["replay", root + "/phase/sweep.json", "--jobs", "1"])
        #expect(try bytes(root + "/replay-phase/cells.csv") == bytes(root + "/phase/cells.csv"))
        #expect((try record(root + "/replay-phase/sweep.json"))["replayOf"] != nil)
    }

    @Test func checkEscapeRecordReplaysToTheSameFiles() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        _ = try run(["check-escape", "--lambdas", "4,8", "--dim", "8", "--seeds", "2", "--output-dir", root + "/check"])
        _ = try run(["replay", root + "/check/escape-check.json"])
        let names = try FileManager.default.contentsOfDirectory(atPath: root + "/check").filter { $0 != "escape-check.json" }
        #expect(names.contains("escape-check.csv") && names.contains("amplification.svg"))
        for name in names {
            #expect(try bytes(root + "/replay-check/" + name) == bytes(root + "/check/" + name), "\(name)")
        }
        let again = try SpecgdProcess.run(["replay", root + "/check/escape-check.json"])
        #expect(again.status != 0 && again.stderr.contains("not empty"))
    }

    /// --law-draws is recorded (only when given) and replayed: the spread files come back too.
    @Test func compareRecordReplaysToTheSameFiles() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        for (name, extra) in [("two", ["--methods", "gd,specgd"]), ("wrong", ["--theory-lambda", "2"]),
                              ("draws", ["--init", "gaussian", "--seeds", "2", "--law-draws", "30"])] {
            _ = try run(["compare", "--dim", "16", "--steps", "120", "--every", "10", "--output-dir", root + "/" + name] + extra)
            let replayed = try run(["replay", root + "/\(name)/report.json", "--output-dir", root + "/\(name)-again"])
            let names = try FileManager.default.contentsOfDirectory(atPath: root + "/" + name).filter { $0 != "report.json" }
            #expect(names.contains("overlay.svg") && names.contains { $0.hasPrefix("compare") })
            for file in names {
                #expect(try bytes(root + "/\(name)-again/" + file) == bytes(root + "/\(name)/" + file), "\(name)/\(file)")
            }
            let configuration = (try record(root + "/\(name)/report.json"))["configuration"] as? [String: Any]
            #expect(configuration?["lawDraws"] as? Int == (name == "draws" ? 30 : nil), "\(name)")
            if name == "draws" {
                #expect(names.contains("spread-gd.csv"))
                let summary = (try record(root + "/\(name)-again/report.json"))["summary"] as? [String: Any]
                let method = (summary?["methods"] as? [[String: Any]])?.first
                let prediction = (method?["spread"] as? [String: Any])?["prediction"] as? [String: Any]
                #expect(prediction?["draws"] as? Int == 30, "\(replayed.stdout)")
            }
        }
    }

    /// check-escape --law-draws: the spread lines say how many draws, the record carries them,
    /// and the replay draws as many (the same spread.csv and lines).
    @Test func checkEscapeLawDrawsAreRecordedAndReplayed() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try SpecgdProcess.run(["check-escape", "--lambdas", "8", "--dim", "8", "--seeds", "2", "--law-draws", "30",
                                           "--output-dir", root + "/check"])
        #expect(first.status <= 1, "\(first.stderr)")
        let lines = first.stdout.split(separator: "\n").filter { $0.contains("predicted from the law of W₀") }
        #expect(lines.count == 2 * 3, "\(first.stdout)")
        #expect(lines.allSatisfy { $0.contains("(30 draws)") }, "\(lines)")
        let configuration = (try record(root + "/check/escape-check.json"))["configuration"] as? [String: Any]
        #expect(configuration?["lawDraws"] as? Int == 30)
        let summary = (try record(root + "/check/escape-check.json"))["summary"] as? [String: Any]
        let entries = summary?["seedTheory"] as? [[String: Any]] ?? []
        #expect(!entries.isEmpty && entries.allSatisfy { (($0["spread"] as? [String: Any])?["prediction"] as? [String: Any])?["draws"] as? Int == 30 })

        let again = try SpecgdProcess.run(["replay", root + "/check/escape-check.json", "--output-dir", root + "/again"])
        #expect(again.status == first.status, "\(again.stderr)")
        #expect(try bytes(root + "/again/spread.csv") == bytes(root + "/check/spread.csv"))
        #expect(again.stdout.split(separator: "\n").filter { $0.contains("(30 draws)") }.count == lines.count)
        let replayed = (try record(root + "/again/escape-check.json"))["configuration"] as? [String: Any]
        #expect(replayed?["lawDraws"] as? Int == 30)

        // Without the option: 400 draws, and no key in the record.
        let plain = try SpecgdProcess.run(["check-escape", "--lambdas", "8", "--dim", "8", "--seeds", "2", "--output-dir", root + "/plain"])
        #expect(plain.stdout.contains("(400 draws)"), "\(plain.stdout)")
        #expect((try record(root + "/plain/escape-check.json"))["configuration"].flatMap { ($0 as? [String: Any])?["lawDraws"] } == nil)
    }

    /// A record's envelope as the toolkit writes it, with `configuration` (nil: none) in place of its own.
    static func envelope(kind: String, configuration: Any?) throws -> String {
        let record = RunRecord(kind: kind, configuration: [String: Int](), summary: [String: Int](), command: ["specgd", kind])
        var object = try JSONSerialization.jsonObject(with: JSONOutput.encode(record)) as! [String: Any]
        object["configuration"] = configuration
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func unsupportedKindAndMalformedRecordsFailWithOneLine() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        let cases = [
            ("figures.json", try Self.envelope(kind: "figures", configuration: [:]), "'figures'"),
            ("broken.json", #"{"kind": "theory", "#, "not a readable run record"),
            ("partial.json", try Self.envelope(kind: "theory", configuration: nil), "missing field 'configuration'"),
            ("foreign.json", #"{"kind": "theory", "createdAt": "2026-01-01T00:00:00Z"}"#, "missing field"),
        ]
        for (name, text, expected) in cases {
            try text.write(toFile: root + "/" + name, atomically: true, encoding: .utf8)
            let result = try SpecgdProcess.run(["replay", root + "/" + name])
            #expect(result.status != 0, "\(name)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(name): \(result.stderr)")
            #expect(result.stderr.hasPrefix("Error: ") && result.stderr.contains(expected), "\(name): \(result.stderr)")
        }
        let missing = try SpecgdProcess.run(["replay", root + "/none.json"])
        #expect(missing.status != 0 && missing.stderr.split(separator: "\n").count == 1)
    }
}
