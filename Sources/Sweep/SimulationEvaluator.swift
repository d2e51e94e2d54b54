import Simulation
import SpecgdSupport
import Theory

/// Simulate mode: dense training of W ∈ R^{d×m} (the Simulation module), population loss
/// unless `samples` is set, one repetition seeded with the cell's seed, recorded at every
/// step so the escape step is exact. The metrics are read off the recorded trajectory
/// (columns step, a = ‖Wᵀθ*‖, b = ‖Wᵀv‖, loss, alignment) with the same definitions as in
/// theory mode. One BLAS thread per cell: the sweep parallelises over cells.
public struct SimulationEvaluator: CellEvaluator {
    /// What one cell may plan to use (the sweep's limit shared by its parallel workers).
    public var memoryLimit: MemoryLimit

    public init(memoryLimit: MemoryLimit = .default) {
        self.memoryLimit = memoryLimit
    }

    public func evaluate(_ point: ModelPoint, metrics: [Metric]) throws -> [Double] {
        try MetricAssembler.values(metrics, method: point.method) { method, wantsTrajectory in
            // Rows every step, so the peak is the same max as theory mode's.
            let table = try runSimulation(Self.configuration(point, method: method)).perSeed[0]
            return RunMeasurement(escape: try EscapeTracker.metrics(of: table, threshold: point.escapeThreshold),
                                  trajectory: wantsTrajectory ? try Self.trajectoryEnd(table) : nil)
        }
    }

    /// The last row's a, b, c (magnitudes already) and the largest b of the table, which
    /// holds every step.
    static func trajectoryEnd(_ table: Table) throws -> TrajectoryEnd {
        guard let a = table.column("a"), let b = table.column("b"), let c = table.column("c"), !a.isEmpty else {
            throw InputError("the trajectory has no a, b, c rows")
        }
        return TrajectoryEnd(signal: a.last!, spike: b.last!, bulk: c.last!, maxSpike: b.max()!)
    }

    public func validate(_ point: ModelPoint) throws {
        let configuration = Self.configuration(point, method: point.method)
        try configuration.validate()
        try memoryLimit.check(configuration.memoryEstimate, for: "the simulation")
    }

    static func configuration(_ point: ModelPoint, method: Method) -> SimulationConfiguration {
        var c = SimulationConfiguration(
            method: method, lambda: point.lambda, dimension: point.dim, width: point.width,
            initialization: point.initialization ?? .identity, alpha: point.alpha, learningRate: point.lr,
            steps: point.steps, every: 1, training: point.samples.map { .samples($0) } ?? .population,
            seeds: 1, seed: point.seed)
        c.recordWallTime = false
        return c
    }
}
