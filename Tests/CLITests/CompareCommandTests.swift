import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SpecgdSupport

@Suite struct CompareCommandTests {
    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    /// From W₀ = αI with the population gradient the dense run stays on the invariant
    /// manifold, so it must reproduce the exact map to round-off.
    @Test func identityPopulationMatchesTheMapToRoundOff() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try SpecgdProcess.run(["compare", "--lambda", "8", "--dim", "12", "--steps", "600", "--every", "20",
                                            "--tolerance", "1e-8", "--output-dir", dir])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("overall: PASS"))
        let report = try Self.json(dir + "/report.json")
        #expect(report["command"] as? String != nil && report["version"] as? String == "0.1.0")
        let summary = report["summary"] as! [String: Any]
        #expect(summary["passed"] as? Bool == true)
        let method = (summary["methods"] as! [[String: Any]])[0]
        let deviations = method["deviations"] as! [[String: Any]]
        #expect(Set(deviations.map { $0["statistic"] as! String }).isSuperset(of: ["a", "b", "c", "loss", "alignment", "b_over_a"]))
        for d in deviations { #expect((d["maxRelative"] as! Double) <= 1e-10, "\(d)") }
        let table = try Table.readCSV(dir + "/compare.csv")
        #expect(table.columns.prefix(5) == ["step", "a_theory", "a_sim", "a_sim_q10", "a_sim_q90"])
        #expect(table.rows.count == 31)
        let svg = try Data(contentsOf: URL(fileURLWithPath: dir + "/overlay.svg"))
        #expect(XMLParser(data: svg).parse())
        #expect(FileManager.default.fileExists(atPath: dir + "/overlay.recipe.json"))
    }

    @Test func aWrongTheoryFailsTheTolerance() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try SpecgdProcess.run(["compare", "--lambda", "8", "--theory-lambda", "4", "--dim", "12", "--steps", "600",
                                            "--every", "20", "--tolerance", "1e-3", "--output-dir", dir])
        #expect(result.status != 0)
        #expect(result.stdout.contains("FAIL") && result.stderr.contains("tolerance"))
        let summary = try Self.json(dir + "/report.json")["summary"] as! [String: Any]
        #expect(summary["passed"] as? Bool == false)
        let b = ((summary["methods"] as! [[String: Any]])[0]["deviations"] as! [[String: Any]]).first { $0["statistic"] as? String == "b" }!
        #expect((b["maxRelative"] as! Double) > 1e-3)
    }

    @Test func bothMethodsAndBadInput() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let both = try SpecgdProcess.run(["compare", "--methods", "gd,specgd", "--dim", "8", "--steps", "200", "--every", "10",
                                          "--init", "gaussian", "--seeds", "3", "--output-dir", dir])
        #expect(both.status == 0, "\(both.stderr)")
        // Several seeds: the seed band brackets the median, and is not degenerate.
        let gd = try Table.readCSV(dir + "/compare-gd.csv")
        let (lo, hi) = (gd.column("a_sim_q10")!, gd.column("a_sim_q90")!)
        #expect(zip(lo, hi).allSatisfy { $0 <= $1 } && zip(lo, hi).contains { $0 < $1 })
        for file in ["compare-gd.csv", "compare-specgd.csv", "overlay.svg", "report.json"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + file), "\(file)")
        }
        for bad in [["--tolerance", "-1"], ["--methods", "gd,adam"], ["--theory-lambda", "-2"]] {
            let result = try SpecgdProcess.run(["compare", "--dim", "8", "--output-dir", dir] + bad)
            #expect(result.status != 0 && !result.stderr.isEmpty, "\(bad)")
        }
    }
}
