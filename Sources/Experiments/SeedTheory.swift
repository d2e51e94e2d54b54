import Comparison
import Model
import Simulation
import SpecgdSupport
import Theory

/// Per-seed theory (docs/model.md §3 "Starting from a given W₀"): the exact map started from
/// the projected overlaps of each seed's own W₀, drawn exactly as the simulation draws it.
package enum SeedTheory {
    /// Statistics whose largest deviation per seed `compare` reports, before and after escape.
    package static let statistics = ["a", "b", "c", "b_over_a"]

    /// Why per-seed theory cannot run for `simulation` (nil when it can).
    package static func unavailableReason(_ simulation: SimulationConfiguration) -> String? {
        if simulation.teacher != .eigen {
            return "a random teacher is not an eigen-direction of Σ: the overlaps have no group to project on"
        }
        return nil
    }

    /// The map's start for repetition r of `simulation`: its W₀ (`initialWeights`), projected on
    /// `theory`'s groups (`GroupedModel.projectedStart`).
    package static func start(theory: TheoryConfiguration, simulation: SimulationConfiguration, repetition: Int) throws -> TheoryStart {
        if let reason = unavailableReason(simulation) { throw InputError("per-seed theory: \(reason)") }
        guard theory.dimension == simulation.dimension else {
            throw InputError("per-seed theory: the theory has d = \(theory.dimension), the simulation d = \(simulation.dimension)")
        }
        let model = try theory.model()
        let w = try simulation.initialWeights(repetition: repetition).weights
        let coefficients = try model.projectedStart(of: w, coordinateGroups: try theory.coordinateGroups())
        return TheoryStart(coefficients: coefficients,
                           source: "\(simulation.initialization.rawValue) W₀, d = \(simulation.dimension), m = \(simulation.resolvedWidth), α = \(Table.format(simulation.alpha)), seed \(simulation.seed), repetition \(repetition)")
    }

    /// `theory` started from repetition r's projected W₀.
    package static func configuration(theory: TheoryConfiguration, simulation: SimulationConfiguration, repetition: Int) throws -> TheoryConfiguration {
        var c = theory
        c.start = try start(theory: theory, simulation: simulation, repetition: repetition)
        return c
    }

    /// The spread the law of W₀ predicts (`SpreadPrediction`, generator: stream S + 1 of the
    /// master seed, after the S repetitions' streams) against the measured seeds: `compare` and
    /// `check-escape` both report it, with their request's `settings` (draws, the check's bootstrap).
    package static func predictedSpread(theory: TheoryConfiguration, simulation: SimulationConfiguration, seeds: [SeedComparison],
                                settings: SeedSpreadSettings) throws -> SeedSpread {
        try settings.validate()
        let law = StartLaw(initialization: simulation.initialization, width: simulation.resolvedWidth, alpha: simulation.alpha)
        let prediction = try SpreadPrediction.predict(
            model: try theory.model(), optimizer: theory.optimizer, learningRate: theory.learningRate, steps: theory.steps,
            threshold: theory.escapeThreshold, law: law, draws: settings.lawDraws, seed: simulation.seed, stream: simulation.seeds + 1)
        // The simulation watches escape at every step (`SimulationResult.escapes`), as the map does:
        // the draws' escape steps compare with the seeds' as they are.
        let measured = seeds.map { $0.escapeStepSimulation.map(Double.init) ?? .nan }
        let reason: String? = simulation.training == .population ? nil
            : "the seeds also differ by their training data, which the law of W₀ does not cover"
        return SeedSpread(prediction: prediction, measuredEscapeStep: SpreadQuantiles(measured),
                          measuredRatioAtEscape: SpreadQuantiles(seeds.map { $0.ratioAtEscapeSimulation ?? .nan }),
                          measuredPeakAmplification: SpreadQuantiles(seeds.map { $0.peakAmplificationSimulation ?? .nan }),
                          escapeCheck: SpreadCheck.check(measured: measured, draws: prediction.escapeSteps, level: settings.level,
                                                         resamples: settings.resamples, seed: simulation.seed,
                                                         resolution: 1, reason: reason))
    }
}

/// One seed: its simulation against the map from its own start and against the map from αI.
public struct SeedComparison: Sendable, Codable, Equatable {
    /// The repetition index r (stream r + 1 of the master seed).
    public var seed: Int
    /// The projected start s_g(0), group order.
    public var start: [Double]
    /// First recorded step with a ≥ a_esc (record every step, --every 1, for the exact one).
    public var escapeStepSimulation: Int?
    /// The map from this seed's start (exact: every step tested).
    public var escapeStepTheory: Int?
    /// The map from αI (the same for every seed).
    public var escapeStepIdentity: Int?
    /// (theory − simulation)/simulation, from the seed's start and from αI; nil without both escapes.
    public var escapeRelativeError: Double?
    public var escapeRelativeErrorIdentity: Double?
    /// |b/a| at escape.
    public var ratioAtEscapeSimulation: Double?
    public var ratioAtEscapeTheory: Double?
    public var ratioAtEscapeIdentity: Double?
    /// max |b/a|/|b/a|₀ up to escape (the simulation watches every step, as the map does); nil without escape.
    public var peakAmplificationSimulation: Double?
    public var peakAmplificationTheory: Double?
    /// max |theory − simulation| per statistic (`SeedTheory.statistics`) over the common recorded
    /// steps up to the simulation's escape step (all steps without one) and after it (empty
    /// without an escape or steps after it): from the seed's start, and from αI.
    public var upToEscape: [String: Double]
    public var afterEscape: [String: Double]
    public var upToEscapeIdentity: [String: Double]
    public var afterEscapeIdentity: [String: Double]

    /// The row of seeds-<method>.csv (`columns`).
    var row: [Double] {
        func v(_ x: Int?) -> Double { x.map(Double.init) ?? .nan }
        var row = [Double(seed), v(escapeStepSimulation), v(escapeStepTheory), v(escapeStepIdentity),
                   escapeRelativeError ?? .nan, escapeRelativeErrorIdentity ?? .nan,
                   ratioAtEscapeSimulation ?? .nan, ratioAtEscapeTheory ?? .nan, ratioAtEscapeIdentity ?? .nan]
        for s in SeedTheory.statistics {
            row += [upToEscape[s] ?? .nan, afterEscape[s] ?? .nan, upToEscapeIdentity[s] ?? .nan, afterEscapeIdentity[s] ?? .nan]
        }
        return row + start
    }

    /// seeds-<method>.csv's columns; `groups` names the start columns `start_<g>`.
    public static func columns(groups: [String]) -> [String] {
        var columns = ["seed", "escape_step_sim", "escape_step_theory", "escape_step_identity",
                       "escape_rel_error", "escape_rel_error_identity",
                       "b_over_a_at_escape_sim", "b_over_a_at_escape_theory", "b_over_a_at_escape_identity"]
        for s in SeedTheory.statistics {
            columns += ["max_abs_\(s)_to_escape", "max_abs_\(s)_after_escape",
                        "max_abs_\(s)_to_escape_identity", "max_abs_\(s)_after_escape_identity"]
        }
        return columns + groups.map { "start_\($0)" }
    }

    /// Compares seed r's simulation table (`TrajectoryColumns.simulation`) and escape (watched at
    /// every step: `SimulationResult.escapes`) with the map from its start (`seedTheory`) and
    /// from αI (`identity`), both `runTheory` tables with their summaries.
    public static func measure(seed: Int, start: [Double], simulation: Table, simulationEscape sim: EscapeMetrics,
                               seedTheory: TheoryResult, identity: TheoryResult) throws -> SeedComparison {
        let escape = sim.escapeStep
        func relative(_ theory: Int?) -> Double? {
            guard let theory, let escape, escape > 0 else { return nil }
            return Double(theory - escape) / Double(escape)
        }
        func ratio(_ m: EscapeMetrics) -> Double? {
            guard let a = m.signalAtEscape, let b = m.spikeAtEscape else { return nil }
            return abs(b / a)
        }
        let (before, after) = try deviations(theory: seedTheory.table, simulation: simulation, split: escape)
        let (beforeIdentity, afterIdentity) = try deviations(theory: identity.table, simulation: simulation, split: escape)
        return SeedComparison(
            seed: seed, start: start, escapeStepSimulation: escape, escapeStepTheory: seedTheory.summary.escape.escapeStep,
            escapeStepIdentity: identity.summary.escape.escapeStep,
            escapeRelativeError: relative(seedTheory.summary.escape.escapeStep),
            escapeRelativeErrorIdentity: relative(identity.summary.escape.escapeStep),
            ratioAtEscapeSimulation: ratio(sim), ratioAtEscapeTheory: ratio(seedTheory.summary.escape),
            ratioAtEscapeIdentity: ratio(identity.summary.escape),
            peakAmplificationSimulation: escape == nil ? nil : sim.peakAmplification,
            peakAmplificationTheory: seedTheory.summary.escape.escapeStep == nil ? nil : seedTheory.summary.escape.peakAmplification,
            upToEscape: before, afterEscape: after, upToEscapeIdentity: beforeIdentity, afterEscapeIdentity: afterIdentity)
    }

    /// max |theory − simulation| per statistic over the steps both record, split at `split`
    /// (≤ split, > split; everything before without a split). A non-finite value is an
    /// infinite deviation, as in `TrajectoryComparison`.
    static func deviations(theory: Table, simulation: Table, split: Int?) throws -> (before: [String: Double], after: [String: Double]) {
        let result = try TrajectoryComparison.compare(theory: TrajectoryComparison.withSpikeRatio(theory),
                                                      simulation: TrajectoryComparison.withSpikeRatio(simulation),
                                                      statistics: SeedTheory.statistics)
        let table = result.table
        let steps = table.column("step")!
        var before = [String: Double](), after = [String: Double]()
        for s in SeedTheory.statistics {
            let t = table.column("\(s)_theory")!, m = table.column("\(s)_sim")!
            for i in steps.indices {
                let d = t[i].isFinite && m[i].isFinite ? abs(t[i] - m[i]) : .infinity
                if let split, steps[i] > Double(split) {
                    after[s] = max(after[s] ?? 0, d)
                } else {
                    before[s] = max(before[s] ?? 0, d)
                }
            }
        }
        return (before, after)
    }
}

/// The seed band of the per-seed theory runs (mean, q10, q90 per recorded step), as columns
/// `<stat>_seed_theory`, `<stat>_seed_theory_q10`, `<stat>_seed_theory_q90` joined on step.
enum SeedTheoryBand {
    static func adding(to table: Table, runs: [Table], statistics: [String]) throws -> Table {
        guard !runs.isEmpty, let steps = table.column("step") else { return table }
        let aggregate = try Aggregate.table(Aggregate.commonPrefix(runs.map(TrajectoryComparison.withSpikeRatio)))
        guard let aggregateSteps = aggregate.column("step") else { return table }
        var rowOf = [Double: Int]()
        for (i, s) in aggregateSteps.enumerated() where rowOf[s] == nil { rowOf[s] = i }
        let present = statistics.filter { aggregate.index(of: $0) != nil }
        let sources = present.flatMap { s in [s, "\(s)_q10", "\(s)_q90"].map { aggregate.index(of: $0)! } }
        var out = Table(columns: table.columns + present.flatMap { ["\($0)_seed_theory", "\($0)_seed_theory_q10", "\($0)_seed_theory_q90"] })
        for (i, row) in table.rows.enumerated() {
            let j = rowOf[steps[i]]
            out.append(row + sources.map { k in j.map { aggregate.rows[$0][k] } ?? .nan })
        }
        return out
    }
}

/// The spread rows and the spread check as text, one wording for `compare`, `check-escape` and
/// the report (`SeedSpreadSection`).
extension SeedSpread {
    /// A quantity of the spread: its row of spread-*.csv.
    public enum Quantity: CaseIterable, Sendable {
        case escapeStep, ratioAtEscape, peakAmplification

        package var name: String {
            switch self {
            case .escapeStep: "escape step"
            case .ratioAtEscape: "b/a at escape"
            case .peakAmplification: "peak amplification"
            }
        }
    }

    package static func format(_ x: Double?) -> String { x.map { String(format: "%.4g", $0) } ?? "–" }

    /// "q10/q50/q90", each `format`ted ("–/–/–" without quantiles).
    package static func quantiles(_ q: SpreadQuantiles?) -> String { "\(format(q?.q10))/\(format(q?.q50))/\(format(q?.q90))" }

    /// The predicted and measured quantiles of `quantity`.
    package func quantiles(_ quantity: Quantity) -> (predicted: SpreadQuantiles?, measured: SpreadQuantiles?) {
        switch quantity {
        case .escapeStep: (prediction.escapeStep, measuredEscapeStep)
        case .ratioAtEscape: (prediction.ratioAtEscape, measuredRatioAtEscape)
        case .peakAmplification: (prediction.peakAmplification, measuredPeakAmplification)
        }
    }

    /// "escape step over seeds: predicted from the law of W₀ (N draws) q10/q50/q90 = …, measured …".
    public func line(_ quantity: Quantity) -> String {
        let (p, m) = quantiles(quantity)
        return "\(quantity.name) over seeds: predicted from the law of W₀ (\(prediction.draws) draws) q10/q50/q90 = \(Self.quantiles(p)), measured \(Self.quantiles(m))"
    }

    /// The escape-step check in one line: not checkable with the reason, or both checks, each
    /// "NO" with the probability that a law that holds fails it (the median check's at this many
    /// seeds, `SpreadCheck.medianFalseAlarm`; the width check's 1 − level), so a "NO" from a
    /// handful of seeds is read for what it is; nil when there is nothing to say.
    package var checkLine: String? { checkWords.map { "spread check: " + $0 } }

    /// `checkLine` without its "spread check: " label (the report puts it under its own).
    package var checkWords: String? {
        let c = escapeCheck, f = Self.format
        if let reason = c.notCheckable {
            return "not checkable (\(reason))" + (c.medianVerdict.map { "; median inside predicted q10–q90: \($0)" } ?? "")
        }
        guard let interval = c.widthDifferenceInterval else { return nil }
        let alarm = c.medianInside == false ? " (a law that holds fails this with probability \(f(c.medianFalseAlarm * 100)) % at \(c.seeds) seeds)" : ""
        // The width check fails by chance with probability 1 − level at any seed count (its bootstrap).
        let widthAlarm = c.widthAgrees == false ? " (a law that holds fails this with probability \(f((1 - c.level) * 100)) %)" : ""
        return "median inside predicted q10–q90\(c.resolution > 0 ? " ± \(f(c.resolution))" : ""): \(c.medianVerdict ?? "NO")\(alarm); width measured − predicted = \(f(c.measuredWidth.flatMap { w in c.predictedWidth.map { w - $0 } })) within [\(f(interval[0])), \(f(interval[1]))]\(c.resolution > 0 ? " ± \(f(c.resolution)) (integer steps)" : "") (\(Int(c.level * 100)) % bootstrap): \(c.widthAgrees == true ? "yes" : "NO")\(widthAlarm)"
    }
}

/// A seed's escape steps as text, one wording for `compare`, `check-escape` and the report.
extension SeedComparison {
    /// "K (±E %)": an escape step and its relative error to the simulation's, in per cent
    /// ("none" without an escape, "–" without an error).
    package static func escape(_ step: Int?, relativeError: Double?) -> String {
        "\(step.map(String.init) ?? "none") (\(SeedSpread.format(relativeError.map { $0 * 100 })) %)"
    }
}
