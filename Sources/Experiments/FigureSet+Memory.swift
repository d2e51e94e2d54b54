import Simulation
import SpecgdSupport

// What the figure set costs before it runs: the memory of its largest run and the dense steps
// its progress counts (`figures --seeds 1000000` ran for hours with neither).
extension FigureSet {
    /// The peak: the trajectories' dense simulations, which keep every seed's rows (the figures
    /// run one after another, and the theory runs are small and do not grow with the options).
    public var memoryEstimate: MemoryEstimate {
        sides.map { trajectorySimulation($0.optimizer).memoryEstimate(jobs: 1) }.max { $0.bytes < $1.bytes } ?? MemoryEstimate()
    }

    /// Dense steps of the set (every side's seeds × trajectory steps): the total of `run`'s
    /// `simulationProgress`.
    public var simulationSteps: Int { sides.count * options.seeds * options.trajectorySteps }
}
