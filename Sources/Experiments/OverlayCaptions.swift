import Foundation
import Plot
import PlotRecipes
import SpecgdSupport
import Model
import Theory

/// What the theory-vs-simulation overlays (`compare`, the trajectories figure) add to make
/// their post-escape levels readable: exact SpecGD's 2-cycle band for the bulk c and the
/// references η (c) and η² (loss), plus titles that say where each side starts.
enum OverlayCaptions {
    /// Band columns of the c panel (`OverlayRecipe` draws `<stat>_band_lower/_upper`).
    static let bandLower = "c_band_lower", bandUpper = "c_band_upper"

    /// Whether the 2-cycle band of docs/model.md §5 describes this theory run: exact SpecGD,
    /// no optimizer extras, on the map of the spiked model with one spike (p = d − 2 bulk).
    static func hasChatterBand(_ theory: TheoryConfiguration) -> Bool {
        theory.method == .specgd && theory.optimizer.isPlain && theory.dynamics == .map
            && theory.covariance == .spiked && theory.resolvedSpikes.count == 1
    }

    /// Why a run without `hasChatterBand` has no 2-cycle band of c and no η, η² levels, in one
    /// sentence: the closed forms are derived for exact SpecGD on the one-spike model, and the
    /// run (`label`: its method in words) is another method, or the model another covariance.
    static func noChatterBandReason(_ theory: TheoryConfiguration, label: String) -> String {
        let derived = "No 2-cycle band of c and no η, η² levels are drawn: their closed forms (docs/model.md §5) are derived for exact SpecGD on the spiked model with one spike"
        if !(theory.method == .specgd && theory.optimizer.isPlain && theory.dynamics == .map) {
            return derived + ", and \(label) is not exact SpecGD."
        }
        let model = theory.experiment.covarianceWords.map(\.text).joined(separator: ", ")
        return derived + ", and this figure's covariance is \(theory.covariance == .spiked ? "the spiked model with \(theory.resolvedSpikes.count) spikes (\(model))" : model)."
    }

    /// `table` (a comparison, `step` first) with `c_band_lower` = 0 and `c_band_upper` = the
    /// ceiling of `EscapeAnalytics.specgdBulkChatterCeiling`, with the spike's term (1+λ)b₊² at
    /// the map's largest (1+λ)b² past escape, on the rows from which the map's c stays inside
    /// it (NaN before and without an escape: the band is where the map's bulk settles after
    /// escape, and the transient after its first entry can leave it again, docs/model.md §5).
    static func withChatterBand(_ table: Table, theory: TheoryConfiguration, escapeStep: Int?) -> Table {
        var out = Table(columns: table.columns + [bandLower, bandUpper])
        let steps = table.column("step") ?? [], c = table.column("c_theory") ?? [], b = table.column("b_theory") ?? []
        let after = escapeStep.map { k in steps.indices.filter { steps[$0] >= Double(k) && $0 < c.count } } ?? []
        let spike = (1 + theory.leadingSpike) * (after.filter { $0 < b.count }.map { b[$0] * b[$0] }.max() ?? 0)
        let ceiling = EscapeAnalytics.specgdBulkChatterCeiling(lr: theory.learningRate, bulkDimension: theory.dimension - 2,
                                                               spikeEnergy: spike)
        // The first row after escape from which every later row's c is inside the band.
        let outside = after.last { abs(c[$0]) > ceiling }
        let start = after.isEmpty ? nil : outside.map { $0 + 1 < table.rows.count ? $0 + 1 : nil } ?? after.first
        for (i, row) in table.rows.enumerated() {
            out.append(row + (start.map { i >= $0 } == true ? [0, ceiling] : [.nan, .nan]))
        }
        return out
    }

    /// The c and loss references of an overlay whose methods include exact SpecGD at `lr`:
    /// η on c (off the manifold the bulk's singular values chatter about 0, each below η) and
    /// η² on the loss (the order of the post-escape loss of the map and of dense runs).
    static func chatterReferences(lr: Double) -> [String: [ReferenceRecipe]] {
        ["c": [ReferenceRecipe(vertical: false, value: lr, label: "η", color: .gray, style: .dashed)],
         "loss": [ReferenceRecipe(vertical: false, value: lr * lr, label: "η^2", color: .gray, style: .dashed)]]
    }

    /// The band's legend label.
    static let bandLabel = "SpecGD map: post-escape 2-cycle band of c"

    /// What the band and the references explain (measured: docs/model.md §5), for dense runs from `simulation`.
    static func chatterExplanation(simulation: Initialization) -> String {
        let map = "Past escape exact SpecGD chatters. On the manifold (theory from W₀ = αI) a alternates between two values η apart, T changes sign every step and the bulk locks into a 2-cycle anywhere in 0 ≤ c ≤ c_{max} ≈ √(3η/(d + 1)) (shaded; docs/model.md §5)."
        if simulation == .identity {
            return map + " Dense runs from αI stay on the manifold and chatter the same way. The losses are of order η² (dashed)."
        }
        return map + " Off the manifold (any other W₀) the polar step turns the signal direction instead of lengthening it: a stays within O(η²) of 1, T ≈ 0, and the bulk's singular values chatter about 0, each below η (dashed), so the simulated c sits below η and below the map's. Both losses are of order η² (dashed) but come from different chatters, hence the different floors."
    }

    /// W₀ in words, for titles.
    static func start(_ initialization: Initialization) -> String {
        switch initialization {
        case .identity: return "W₀ = αI"
        case .gaussian: return "Gaussian W₀"
        case .orthogonal: return "W₀ = α·(Haar orthogonal)"
        }
    }

    /// "seed 0" or "3 seeds from master seed 0" (repetition r uses stream r + 1 of the master seed).
    static func seeds(count: Int, master: UInt64) -> String {
        count == 1 ? "seed \(master)" : "\(count) seeds, master seed \(master)"
    }

    /// The overlay title: the configuration, then where theory and simulation start.
    static func title(prefix: String, lambda: Double, dimension: Int, lr: Double, alpha: Double,
                      simulation: Initialization, seeds: Int, seed: UInt64) -> String {
        title(prefix: prefix, model: "λ = \(Table.format(lambda))", dimension: dimension, lr: lr, alpha: alpha,
              simulation: simulation, seeds: seeds, seed: seed)
    }

    /// The same with the covariance in words (`Experiment.covarianceWords`).
    static func title(prefix: String, model: String, dimension: Int, lr: Double, alpha: Double,
                      simulation: Initialization, seeds: Int, seed: UInt64) -> String {
        // The master seed is in the caption: the title stays short enough for one paper column.
        "\(prefix): \(model), d = \(dimension), lr = \(Table.format(lr)), α = \(Table.format(alpha)); theory from W₀ = αI,"
            + " simulation from \(start(simulation)) (\(seeds == 1 ? "seed \(seed)" : "\(seeds) seeds"))"
    }
}
