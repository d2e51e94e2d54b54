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
    /// Per seed: the escape step of `EscapeMetrics` (docs/model.md §5) measured on the seed's
    /// recorded rows — the first *recorded* step with a ≥ threshold, so it depends on `every`
    /// (exact with every = 1); nil: no escape among the recorded rows.
    package var escapeSteps: [Int?]
    package var escapeThreshold: Double
    /// Final means over seeds.
    package var finalLoss: Double
    package var finalAlignment: Double
    package var finalSignal: Double

    package init(result: SimulationResult, escapeThreshold: Double = 0.5) {
        seeds = result.perSeed.count
        timings = result.timings
        self.escapeThreshold = escapeThreshold
        // A seed with no rows (stopped before step 0) has no escape.
        escapeSteps = result.perSeed.map { table in
            (try? EscapeTracker(recorded: table, threshold: escapeThreshold))?.metrics(steps: 0).escapeStep
        }
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
