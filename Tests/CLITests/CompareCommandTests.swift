import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SpecgdSupport
import Model
import Theory
import TestSupport

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
        #expect(report["command"] as? String != nil && report["version"] as? String == SpecgdVersion.string)
        let summary = report["summary"] as! [String: Any]
        #expect(summary["passed"] as? Bool == true)
        let method = (summary["methods"] as! [[String: Any]])[0]
        let deviations = method["deviations"] as! [[String: Any]]
        #expect(Set(deviations.map { $0["statistic"] as! String }).isSuperset(of: ["a", "b", "c", "loss", "alignment", "b_over_a"]))
        let table = try Table.readCSV(dir + "/compare-gd.csv")
        // The dense side against the exact map with the dense-vs-map error model of
        // TheoryAgreementTests (TestSupport's `denseVersusMapBound`, carried every step; the CSV
        // keeps every 20th, and its decimal round-trip is exact). The map is rerun here with the
        // command's defaults (GD, α = 10⁻³, η̃ = 10⁻³) and pinned to the theory column bit for bit.
        let d = 12, alpha = 1e-3, lr = 1e-3
        let model = try GroupedModel.spiked(lambda: 8, dimension: d)
        var trajectory: [[Double]] = []
        _ = try DiscreteMap(model: model, method: .gd, learningRate: lr).iterate(from: model.identityStart(alpha: alpha), steps: 600) { _, s in
            trajectory.append(s)
        }
        let groups = model.groups.map { ManifoldGroup(sigma: $0.eigenvalue, multiplicity: Double($0.multiplicity), target: $0.target) }
        let bound = denseVersusMapBound(groups: groups, dimension: d, spectral: false, learningRate: lr, alpha: alpha,
                                        path: .diagonal, trajectory: trajectory)
        let p = Double(d - 2)
        var worst = 0.0  // max over rows and statistics of |sim − theory| / bound
        for (row, step) in table.column("step")!.enumerated() {
            let k = Int(step), s = trajectory[k]
            func value(_ name: String) -> (theory: Double, sim: Double) { (table.column(name + "_theory")![row], table.column(name + "_sim")![row]) }
            #expect(value("a").theory == abs(s[0]) && value("b").theory == abs(s[1]) && value("c").theory == abs(s[2]), "step \(k)")
            let (a, b, c) = (abs(s[0]), abs(s[1]), abs(s[2]))
            let (da, db, dc) = (bound.a[k], bound.b[k], bound.c[k])
            // b/a and a²/(a² + b² + p c²) to first order in (da, db, dc), plus their own few roundings
            // (the alignment's denominator sums d squares on the dense side).
            let ratio = db / a + b * da / (a * a) + gammaBound(2) * b / a
            let norm = a * a + b * b + p * c * c
            let alignment = (2 * a * da * norm + a * a * (2 * a * da + 2 * b * db + 2 * p * c * dc)) / (norm * norm)
                + gammaBound(Double(d + 4)) * a * a / norm * 2
            for (name, allowed) in [("a", da), ("b", db), ("c", dc), ("q", bound.q[k]), ("loss", bound.loss[k]),
                                    ("b_over_a", ratio), ("alignment", alignment)] {
                let (theory, sim) = value(name)
                worst = max(worst, abs(sim - theory) / allowed)
            }
        }
        #expect(worst <= 1, "worst |sim − theory| / bound \(worst)")
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
        for bad in [["--tolerance", "-1"], ["--methods", "gd,nope"], ["--theory-lambda", "-2"]] {
            let result = try SpecgdProcess.run(["compare", "--dim", "8", "--output-dir", dir] + bad)
            #expect(result.status != 0 && !result.stderr.isEmpty, "\(bad)")
        }
    }
}
