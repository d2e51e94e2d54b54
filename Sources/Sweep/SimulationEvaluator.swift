import Simulation
import SpecgdSupport
import Theory

/// Simulate mode: dense training of W ∈ R^{d×m} (the Simulation module), population loss
/// unless `samples` is set, one repetition seeded with the cell's seed, recorded at every
/// step so the escape step is exact. The metrics are read off the recorded trajectory
/// (columns step, a = ‖Wᵀθ*‖, b = ‖Wᵀv‖, loss, alignment) with the same definitions as in
/// theory mode. One BLAS thread per cell: the sweep parallelises over cells.
public struct SimulationEvaluator: CellEvaluator {
    public init() {}

    public func evaluate(_ point: ModelPoint, metrics: [Metric]) throws -> [Double] {
        try MetricAssembler.values(metrics, method: point.method) { method in
            let table = try runSimulation(Self.configuration(point, method: method)).perSeed[0]
            return try Self.statistics(table, threshold: point.escapeThreshold)
        }
    }

    public func validate(_ point: ModelPoint) throws {
        try Self.configuration(point, method: point.method).validate()
    }

    static func configuration(_ point: ModelPoint, method: Method) -> SimulationConfiguration {
        var c = SimulationConfiguration(
            method: method == .gd ? .gd : .specgd, lambda: point.lambda, dimension: point.dim, width: point.width,
            initialization: point.initialization ?? .identity, alpha: point.alpha, learningRate: point.lr,
            steps: point.steps, every: 1, training: point.samples.map { .samples($0) } ?? .population,
            seeds: 1, seed: point.seed)
        c.threads = 1
        c.recordWallTime = false
        return c
    }

    /// The escape statistics of one recorded trajectory.
    static func statistics(_ table: Table, threshold: Double) throws -> RunStatistics {
        guard let steps = table.column("step"), let a = table.column("a"), let b = table.column("b"),
              let loss = table.column("loss"), let alignment = table.column("alignment"), !steps.isEmpty else {
            throw InputError("the simulation trajectory lacks the step/a/b/loss/alignment columns")
        }
        let escape = a.firstIndex { $0 >= threshold }
        let at = escape ?? (a.count - 1)
        let initialRatio = abs(b[0] / a[0])
        let ratio = abs(b[at] / a[at])
        // Rows are every step (every = 1), so this is the same max as theory mode's.
        var peakRatio = initialRatio
        for row in 0...at { let r = abs(b[row] / a[row]); if r > peakRatio { peakRatio = r } }
        return RunStatistics(escapeStep: escape.map { Int(steps[$0]) },
                             alignmentAtEscape: alignment[at],
                             amplification: initialRatio > 0 ? ratio / initialRatio : .nan,
                             peakAmplification: initialRatio > 0 ? peakRatio / initialRatio : .nan,
                             finalAlignment: alignment[alignment.count - 1],
                             finalLoss: loss[loss.count - 1])
    }
}
