import Model
import Simulation
import SpecgdSupport
import Theory

/// Simulate mode: dense training of W ∈ R^{d×m} (the Simulation module) with the cell's
/// optimizer (docs/model.md §6), population loss unless `samples` (a fixed data set) or
/// `batch` (online, a fresh batch every step) is set, `seeds` repetitions (default one)
/// seeded from the cell's seed, recorded at every step so the escape step is exact. The
/// metrics are read off each repetition's trajectory (columns step, a = ‖Wᵀθ*‖, b = ‖Wᵀv‖,
/// loss, alignment) with the same definitions as in theory mode; with several repetitions
/// each metric becomes its mean and q10/q50/q90 (`Metric.summary`). One BLAS thread per cell:
/// the sweep parallelises over cells.
package struct SimulationEvaluator: CellEvaluator {
    /// What one cell may plan to use (the sweep's limit shared by its parallel workers).
    package var memoryLimit: MemoryLimit
    package init(memoryLimit: MemoryLimit = .default) {
        self.memoryLimit = memoryLimit
    }

    /// A dense step costs O(d·m·(m + n)): the population gradient's d·m² (and the polar
    /// factor's, for SpecGD), or n (a batch) samples' d·m; times the steps and the repetitions.
    package func work(_ point: ModelPoint) -> Double {
        let d = Double(point.dimension), m = Double(point.width ?? point.dimension)
        let n = Double(point.samples ?? point.batch ?? 0)
        return Double(point.steps) * Double(point.seeds ?? 1) * d * m * (m + n)
    }

    package func evaluate(_ point: ModelPoint, metrics: [Metric], ratio: EscapeRatio, control: CellControl) throws -> [Double] {
        let wantsTrajectory = metrics.contains(where: \.needsTrajectory)
        // Every repetition of each optimizer the metrics need, run once (escape_ratio's sides
        // and the cell's own run share a point when they are the same optimizer).
        var runs: [(point: ModelPoint, measurements: [RunMeasurement])] = []
        func measurements(_ cell: ModelPoint) throws -> [RunMeasurement] {
            if let done = runs.first(where: { $0.point == cell }) { return done.measurements }
            // Rows every step, so the peak is the same max as theory mode's.
            // Stopped by the sweep's token (polled every step): the cell is not kept, so the
            // rows a stopped run keeps are dropped (`requireCompleted` throws `RunInterrupted`).
            let tables = try Simulator(Self.configuration(cell))
                .runKeepingRows(progress: control.progress, cancellation: control.cancellation).requireCompleted().perSeed
            let measured = try tables.map { table in
                RunMeasurement(escape: try EscapeTracker.metrics(of: table, threshold: cell.escapeThreshold),
                               trajectory: wantsTrajectory ? try Self.trajectoryEnd(table) : nil)
            }
            runs.append((cell, measured))
            return measured
        }
        let repetitions = point.seeds ?? 1
        let perRepetition = try (0..<repetitions).map { r in
            try MetricAssembler.values(metrics, point: point, ratio: ratio, control: control) { cell, _ in try measurements(cell)[r] }
        }
        guard repetitions > 1 else { return perRepetition[0] }
        return metrics.indices.flatMap { m in Metric.summary(perRepetition.map { $0[m] }) }
    }

    /// The last row's a, b, c (magnitudes already) and the largest b of the table, which
    /// holds every step.
    static func trajectoryEnd(_ table: Table) throws -> TrajectoryEnd {
        guard let a = table.column("a"), let b = table.column("b"), let c = table.column("c"), !a.isEmpty else {
            throw InputError("the trajectory has no a, b, c rows")
        }
        return TrajectoryEnd(signal: a.last!, spike: b.last!, bulk: c.last!, maxSpike: b.max()!)
    }

    /// The cell's dense run (and escape_ratio's two), checked by the library, within the memory limit.
    package func validate(_ point: ModelPoint, ratio: EscapeRatio?) throws {
        if point.samples != nil && point.batch != nil {
            throw InputError("\(InputError.field("samples")) (one fixed data set) and \(InputError.field("batch")) (a fresh batch every step) are exclusive")
        }
        for cell in [point] + (ratio.map { [$0.numerator, $0.denominator] } ?? []).map({ $0.point(point) }) {
            let configuration = Self.configuration(cell)
            try configuration.validate()
            try memoryLimit.check(configuration.memoryEstimate, for: "the simulation")
        }
    }

    static func configuration(_ point: ModelPoint) -> SimulationConfiguration {
        var c = SimulationConfiguration(
            method: point.method, lambda: point.lambda, dimension: point.dimension, width: point.width,
            initialization: point.initialization ?? .identity, alpha: point.alpha, learningRate: point.learningRate,
            steps: point.steps, every: 1, training: Self.training(point),
            seeds: point.seeds ?? 1, seed: point.seed)
        c.experiment = point.experiment
        c.experiment.every = 1
        if let teacher = point.teacher { c.teacher = teacher }
        c.recordWallTime = false
        return c
    }

    /// A fixed data set (`samples`), online batches (`batch`) or the population gradient.
    static func training(_ point: ModelPoint) -> TrainingData {
        if let samples = point.samples { return .samples(samples) }
        if let batch = point.batch { return .online(batch: batch) }
        return .population
    }
}
