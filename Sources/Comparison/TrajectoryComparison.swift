import Foundation
import SpecgdSupport
import Model
import Theory

/// When a simulated statistic counts as agreeing with theory.
///
/// A step passes when |sim − theory| ≤ relative · max(|theory|, floor): a relative test whose
/// denominator never drops below `floor`, so statistics passing through zero (or decaying to
/// it, like the loss) are judged on an absolute scale `relative · floor` there.
public struct Tolerance: Sendable, Codable, Equatable {
    public var relative: Double
    public var floor: Double

    public init(relative: Double, floor: Double = 1e-6) throws {
        try Validate.positive(relative, "tolerance")
        try Validate.positive(floor, "tolerance floor")
        self.relative = relative
        self.floor = floor
    }

    /// The scaled deviation |sim − theory| / max(|theory|, floor); ≤ `relative` passes.
    func scaledDeviation(theory: Double, simulation: Double) -> Double {
        abs(simulation - theory) / max(abs(theory), floor)
    }
}

/// How far one statistic of a simulation strays from theory over the common steps.
public struct StatisticDeviation: Sendable, Codable, Equatable {
    public var statistic: String
    public var maxAbsolute: Double
    public var meanAbsolute: Double
    /// Step where |sim − theory| is largest.
    public var maxAbsoluteStep: Int
    /// Largest |sim − theory| / max(|theory|, floor) — the quantity the tolerance bounds.
    public var maxRelative: Double
    public var meanRelative: Double
    public var maxRelativeStep: Int
    /// nil when no tolerance was given.
    public var passed: Bool?
}

/// The outcome of `TrajectoryComparison.compare`: the side-by-side table and the deviations.
public struct ComparisonResult: Sendable {
    /// Columns `step`, then per statistic `<stat>_theory, <stat>_sim, <stat>_sim_q10, <stat>_sim_q90`
    /// (the quantile columns repeat `<stat>_sim` when the simulation ran a single seed).
    public var table: Table
    public var deviations: [StatisticDeviation]
    public var tolerance: Tolerance?
    public var commonSteps: Int

    /// nil without a tolerance; else whether every statistic passed.
    public var passed: Bool? {
        guard tolerance != nil else { return nil }
        return deviations.allSatisfy { $0.passed == true }
    }
}

/// Aligns a theory trajectory with a simulated one and measures their disagreement.
public enum TrajectoryComparison {
    /// The statistics compared by default, when both tables carry them: the shared columns of
    /// the one trajectory schema.
    public static let defaultStatistics = TrajectoryColumns.sharedStatistics

    /// Inner join on `step`. Throws `InputError` when a table has no `step` column, when a
    /// requested statistic is missing, or when the tables share no step.
    public static func compare(theory: Table, simulation: Table, statistics: [String]? = nil,
                               tolerance: Tolerance? = nil) throws -> ComparisonResult {
        guard let theorySteps = theory.column("step") else { throw InputError("the theory table has no 'step' column") }
        guard let simSteps = simulation.column("step") else { throw InputError("the simulation table has no 'step' column") }
        let names: [String]
        if let statistics {
            for name in statistics {
                guard theory.index(of: name) != nil else { throw InputError("the theory table has no column '\(name)'") }
                guard simulation.index(of: name) != nil else { throw InputError("the simulation table has no column '\(name)'") }
            }
            names = statistics
        } else {
            names = defaultStatistics.filter { theory.index(of: $0) != nil && simulation.index(of: $0) != nil }
        }
        guard !names.isEmpty else { throw InputError("the theory and simulation tables share none of the statistics \(defaultStatistics.joined(separator: ", "))") }

        var theoryRow = [Double: Int]()
        for (i, s) in theorySteps.enumerated() where theoryRow[s] == nil { theoryRow[s] = i }
        let pairs: [(Int, Int)] = simSteps.enumerated().compactMap { j, s in theoryRow[s].map { ($0, j) } }
        guard !pairs.isEmpty else {
            let span = { (v: [Double]) in v.isEmpty ? "none" : "\(Table.format(v.min()!))…\(Table.format(v.max()!))" }
            throw InputError("theory and simulation share no step (theory steps \(span(theorySteps)), simulation steps \(span(simSteps))); record both with the same \(InputError.field("every"))")
        }

        var columns = ["step"]
        for name in names { columns += ["\(name)_theory", "\(name)_sim", "\(name)_sim_q10", "\(name)_sim_q90"] }
        var table = Table(columns: columns)
        let th = names.map { theory.index(of: $0)! }
        let sim = names.map { simulation.index(of: $0)! }
        let q10 = names.map { simulation.index(of: "\($0)_q10") }
        let q90 = names.map { simulation.index(of: "\($0)_q90") }
        for (i, j) in pairs {
            var row = [theorySteps[i]]
            for k in names.indices {
                let s = simulation.rows[j][sim[k]]
                row += [theory.rows[i][th[k]], s, q10[k].map { simulation.rows[j][$0] } ?? s, q90[k].map { simulation.rows[j][$0] } ?? s]
            }
            table.append(row)
        }

        let scale = tolerance ?? (try! Tolerance(relative: 1))
        let deviations = names.indices.map { k -> StatisticDeviation in
            var maxAbs = -1.0, sumAbs = 0.0, maxAbsStep = 0
            var maxRel = -1.0, sumRel = 0.0, maxRelStep = 0
            for (i, j) in pairs {
                let t = theory.rows[i][th[k]], s = simulation.rows[j][sim[k]]
                // A non-finite value on either side is an infinite deviation, never skipped.
                let absolute = t.isFinite && s.isFinite ? abs(s - t) : .infinity
                let relative = t.isFinite && s.isFinite ? scale.scaledDeviation(theory: t, simulation: s) : .infinity
                sumAbs += absolute
                sumRel += relative
                let step = Int(theorySteps[i])
                if absolute > maxAbs { maxAbs = absolute; maxAbsStep = step }
                if relative > maxRel { maxRel = relative; maxRelStep = step }
            }
            let n = Double(pairs.count)
            return StatisticDeviation(
                statistic: names[k], maxAbsolute: maxAbs, meanAbsolute: sumAbs / n, maxAbsoluteStep: maxAbsStep,
                maxRelative: maxRel, meanRelative: sumRel / n, maxRelativeStep: maxRelStep,
                passed: tolerance.map { maxRel <= $0.relative })
        }
        return ComparisonResult(table: table, deviations: deviations, tolerance: tolerance, commonSteps: pairs.count)
    }

    /// Appends `b_over_a` = |b / a| (for seed aggregates: the ratio of the means), computed the
    /// same way for theory and simulation so the two can be compared.
    package static func withSpikeRatio(_ table: Table) -> Table {
        guard let a = table.index(of: "a"), let b = table.index(of: "b"), table.index(of: "b_over_a") == nil else { return table }
        var out = Table(columns: table.columns + ["b_over_a"])
        for row in table.rows { out.append(row + [abs(row[b] / row[a])]) }
        return out
    }

    /// A plain-text summary, one line per statistic.
    public static func summary(_ result: ComparisonResult) -> String {
        var lines = [TextTable.row(["statistic", "max |Δ|", "at step", "max rel", "at step", "verdict"], widths: [16, 11, 8, 11, 8, 7])]
        for d in result.deviations {
            let verdict = d.passed.map { $0 ? "PASS" : "FAIL" } ?? "-"
            lines.append(TextTable.row([d.statistic, TextTable.sci(d.maxAbsolute), "\(d.maxAbsoluteStep)",
                                        TextTable.sci(d.maxRelative), "\(d.maxRelativeStep)", verdict],
                                       widths: [16, 11, 8, 11, 8, 7]))
        }
        if let tolerance = result.tolerance {
            let overall = result.passed == true ? "PASS" : "FAIL"
            lines.append("overall: \(overall) (tolerance \(tolerance.relative) relative, floor \(tolerance.floor); \(result.commonSteps) common steps)")
        }
        return lines.joined(separator: "\n")
    }
}
