import Foundation
import Testing
import SpecgdSupport
import Sweep

/// Records written by the previous release (0.1.0, 09e690d; Tests/CLITests/Fixtures/records-0.1.0,
/// made by that binary) still load: `RecordMigration` maps the one renamed spelling (a sweep's
/// base point said `dim` and `lr`), and every kind replays to the outputs it recorded.
@Suite struct RecordMigrationTests {
    static let fixtures = DocsExamplesTests.repository.appendingPathComponent("Tests/CLITests/Fixtures/records-0.1.0").path

    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func anOldSweepRecordReadsInTodaysSpelling() throws {
        let configuration = try SweepRecord.read(from: Self.fixtures + "/sweep")
        #expect(configuration.base.dimension == 100 && configuration.base.learningRate == 1e-3)
        let old = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/sweep/sweep.json"))
        let migrated = String(decoding: RecordMigration.migrate(old), as: UTF8.self)
        #expect(migrated.contains("\"dimension\"") && migrated.contains("\"learningRate\"") && !migrated.contains("\"dim\""))
        // Today's records are left as they are.
        let today = try JSONOutput.encode(["kind": "theory", "dimension": "3"])
        #expect(RecordMigration.migrate(today) == today)
    }

    /// Both spellings in one base point: the stale key is refused by name, not silently dropped.
    @Test func aRecordWithBothSpellingsIsRefused() throws {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/sweep/sweep.json"))) as! [String: Any]
        var configuration = object["configuration"] as! [String: Any]
        var base = configuration["base"] as! [String: Any]
        base["dimension"] = 100
        configuration["base"] = base
        object["configuration"] = configuration
        let data = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: InputError.self) { try SweepRecord.read(data, file: "both.json") }
    }

    @Test func anOldSweepResumesReplaysAndDraws() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let copy = dir + "/sweep"
        try FileManager.default.copyItem(atPath: Self.fixtures + "/sweep", toPath: copy)
        let resumed = try SpecgdProcess.run(["sweep", "--grid", "lambda=2,8", "--grid", "lr=1e-3,1e-2", "--dim", "100", "--steps", "2000",
                                             "--resume", "--output-dir", copy])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("4 already done, 0 evaluated now"), "\(resumed.stdout)")
        let replayed = try SpecgdProcess.run(["replay", Self.fixtures + "/sweep/sweep.json", "--output-dir", dir + "/replayed"])
        #expect(replayed.status == 0, "\(replayed.stderr)")
        #expect(try Self.text(dir + "/replayed/cells.csv") == Self.text(Self.fixtures + "/sweep/cells.csv"))
        let drawn = try SpecgdProcess.run(["plot-phase", copy, "--output-dir", dir + "/phase"])
        #expect(drawn.status == 0, "\(drawn.stderr)")
    }

    /// A sweep started by a release this one does not know (a later one, which may compute other
    /// numbers) is not resumed: the refusal names both releases; one of the same numbers
    /// generation resumes (anOldSweepResumesReplaysAndDraws).
    @Test func aSweepOfAnUnknownReleaseIsNotResumed() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let copy = dir + "/sweep"
        try FileManager.default.copyItem(atPath: Self.fixtures + "/sweep", toPath: copy)
        let record = copy + "/sweep.json"
        let text = try Self.text(record).replacingOccurrences(of: "\"version\" : \"0.1.0\"", with: "\"version\" : \"9.0.0\"")
        #expect(text.contains("9.0.0"))
        try text.write(toFile: record, atomically: true, encoding: .utf8)
        let resumed = try SpecgdProcess.run(["sweep", "--grid", "lambda=2,8", "--grid", "lr=1e-3,1e-2", "--dim", "100", "--steps", "2000",
                                             "--resume", "--output-dir", copy])
        #expect(resumed.status != 0)
        #expect(resumed.stderr.contains("specgd 9.0.0 vs \(SpecgdVersion.string), which compute different numbers"), "\(resumed.stderr)")
        #expect(!SpecgdVersion.computeTheSameNumbers("9.0.0", SpecgdVersion.string))
        #expect(SpecgdVersion.computeTheSameNumbers("0.1.0", SpecgdVersion.string))
    }

    /// Every release is in the numbers table, CHANGELOG.md has its numbered, dated section, and
    /// CITATION.cff and the Python package carry the same version.
    @Test func theReleaseIsRecordedEverywhere() throws {
        let version = SpecgdVersion.string
        #expect(SpecgdVersion.numbersGeneration(of: version) != nil)
        let repository = DocsExamplesTests.repository.path
        let changelog = try Self.text(repository + "/CHANGELOG.md")
        #expect(changelog.range(of: "\n## \(version) — 20[0-9]{2}-[0-9]{2}-[0-9]{2}\n", options: .regularExpression) != nil,
                "CHANGELOG.md has no '## \(version) — YYYY-MM-DD' section")
        let citation = try Self.text(repository + "/CITATION.cff")
        #expect(citation.contains("version: \"\(version)\""))
        // The release date is the CHANGELOG section's.
        let heading = try #require(changelog.range(of: "## \(version) — ")).upperBound
        let date = String(changelog[heading...].prefix(10))
        #expect(citation.contains("date-released: \"\(date)\""), "CITATION.cff's date-released is not \(date)")
        #expect(try Self.text(repository + "/python/specgd/__init__.py").contains("__version__ = \"\(version)\""))
    }

    /// report and export-notebook read every record 0.1.0 wrote through today's types (its
    /// check-escape summary had no `diverged` count: `RecordMigration` fills in 0).
    @Test func oldRecordsAreReportedAndExported() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.fixtures, toPath: dir + "/old")
        let report = try SpecgdProcess.run(["report", dir + "/old"])
        #expect(report.status == 0, "\(report.stderr)")
        let html = try Self.text(dir + "/old/report.html")
        #expect(html.contains("check-escape</a>: <span class=\"pass\">completed (") && html.contains("<img class=\"drawn\""))
        let notebook = try SpecgdProcess.run(["export-notebook", dir + "/old", "--output", dir + "/old.ipynb"])
        #expect(notebook.status == 0, "\(notebook.stderr)")
    }

    /// theory and simulate replay to the CSVs 0.1.0 wrote, byte for byte; compare (its one method
    /// now writes compare-gd.csv, which gained the per-seed theory columns) and check-escape (its
    /// CSV gained the diverged_step column) to the same values in every column 0.1.0 wrote.
    @Test func everyOldRecordReplays() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (record, produced, original) in [("theory.json", "theory.csv", "theory.csv"), ("simulate.json", "simulate.csv", "simulate.csv")] {
            let out = dir + "/" + record.replacingOccurrences(of: "/", with: "-")
            let result = try SpecgdProcess.run(["replay", Self.fixtures + "/" + record, "--output-dir", out])
            #expect(result.status == 0, "\(record): \(result.stderr)")
            #expect(try Self.text(out + "/" + produced) == Self.text(Self.fixtures + "/" + original), "\(record)")
        }
        func same(_ a: [Double]?, _ b: [Double]?) -> Bool {
            guard let a, let b, a.count == b.count else { return false }
            return zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        }
        for (record, produced, original) in [("compare/report.json", "compare/compare-gd.csv", "compare/compare.csv"),
                                             ("check-escape/escape-check.json", "check/escape-check.csv", "check-escape/escape-check.csv")] {
            let result = try SpecgdProcess.run(["replay", Self.fixtures + "/" + record, "--output-dir", dir + "/" + produced.split(separator: "/")[0]])
            #expect(result.status == 0, "\(record): \(result.stderr)")
            let old = try Table.readCSV(Self.fixtures + "/" + original)
            let new = try Table.readCSV(dir + "/" + produced)
            for column in old.columns { #expect(same(new.column(column), old.column(column)), "\(record): \(column)") }
        }
    }
}

/// A replayed record must carry every field of what ran: one without `lambda` is refused by
/// name instead of replaying with today's default λ = 8.
@Suite struct ReplayMissingFieldTests {
    @Test func aRecordLackingAFieldIsRefused() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: RecordMigrationTests.fixtures + "/theory.json"))) as! [String: Any]
        var configuration = object["configuration"] as! [String: Any]
        configuration["lambda"] = nil
        object["configuration"] = configuration
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: dir + "/theory.json"))
        let result = try SpecgdProcess.run(["replay", dir + "/theory.json", "--output-dir", dir + "/out"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("lacks 'configuration.lambda'"), "\(result.stderr)")
    }
}
