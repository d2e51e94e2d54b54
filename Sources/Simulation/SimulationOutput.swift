import Model
import SpecgdSupport

/// How `specgd simulate` lays out its files; public so other commands write the same shapes.
package enum SimulationOutput {
    /// `PATH.csv` → `PATH.seeds.csv`.
    package static func seedsPath(for csvPath: String) -> String {
        if csvPath.hasSuffix(".csv") { return String(csvPath.dropLast(4)) + ".seeds.csv" }
        return csvPath + ".seeds.csv"
    }

    /// Every repetition's rows stacked, with a leading `seed` column (the repetition index).
    package static func perSeedTable(_ tables: [Table]) -> Table {
        var result = Table(columns: ["seed"] + (tables.first?.columns ?? []))
        for (r, table) in tables.enumerated() {
            for row in table.rows { result.append([Double(r)] + row) }
        }
        return result
    }
}

/// The JSON sidecar's summary of a run.
package struct SimulationSummary: Sendable, Codable {
    package var seeds: Int
    package var timings: SimulationTimings
    /// Per seed: the escape step of `EscapeMetrics` (docs/model.md §5), the first step with
    /// a ≥ threshold, watched at every step (`SimulationResult.escapes`; it does not depend on
    /// `every`); nil: no escape within the run.
    package var escapeSteps: [Int?]
    package var escapeThreshold: Double
    /// Final means over seeds.
    package var finalLoss: Double
    package var finalAlignment: Double
    package var finalSignal: Double

    package init(result: SimulationResult) {
        seeds = result.perSeed.count
        timings = result.timings
        escapeThreshold = result.configuration.experiment.escapeThreshold
        escapeSteps = result.escapes.map(\.escapeStep)
        let last = result.aggregate.rows.last
        func value(_ name: String) -> Double {
            guard let last, let j = result.aggregate.index(of: name) else { return .nan }
            return last[j]
        }
        finalLoss = value("loss")
        finalAlignment = value("alignment")
        finalSignal = value("a")
    }
}
