import Model
import Simulation
import Theory

// The work model behind `figures`' progress ETA: the figures differ in cost by orders of
// magnitude (the dense runs of "trajectories" against the exact map's O(groups) steps), so
// counting figures makes every early estimate wrong.
extension FigureSet {
    /// Nominal seconds of one step of the exact map per group (the spiked model has 3): about
    /// the ~15 ns of BatchedEscape's 3-group trajectory; per Newton–Schulz iteration for an
    /// optimizer map. Only the figures' relative weights matter: the ETA scales them by the
    /// rate measured as the figures finish.
    static let mapStepSeconds = 5e-9
    /// Nominal seconds per flop of a dense, BLAS-bound step (~5 GFlop/s on one thread).
    static let denseFlopSeconds = 0.2e-9

    /// Each figure's estimated cost (nominal seconds, see above), by name (`names`).
    package var estimatedWork: [String: Double] {
        let spiked = 3.0  // groups: signal, spike, bulk
        func map(_ optimizer: Optimizer, steps: Int, groups: Double = spiked) -> Double {
            Double(steps) * groups * Double(optimizer.schedule?.steps.count ?? 1) * Self.mapStepSeconds
        }
        func dense(_ c: SimulationConfiguration) -> Double {
            // The population gradient, 3·d·m² flops; SpecGD's polar factor adds a thin SVD
            // (~4·d·m² + 22·m³) and the product U·Vᵀ (2·d·m²).
            let d = Double(c.dimension), m = Double(c.resolvedWidth)
            let step = 3 * d * m * m + (c.method == .gd ? 0 : 6 * d * m * m + 22 * m * m * m)
            return Double(c.seeds) * Double(c.steps) * step * Self.denseFlopSeconds
        }
        let o = options
        var work: [String: Double] = [:]
        // The αI map, the map from each seed's own W₀, and the dense runs.
        work["trajectories"] = sides.reduce(0) { $0 + Double(1 + o.seeds) * map($1.optimizer, steps: o.trajectorySteps) + dense(trajectorySimulation($1.optimizer)) }
        let escapeRun = sides.reduce(0) { $0 + map($1.optimizer, steps: Self.escapeBudget($1.optimizer)) }
        work["escape-vs-lambda"] = Double(o.lambdas.count) * escapeRun
        work["escape-vs-dim"] = Double(o.dimensions.count) * escapeRun
        work["loss"] = Double(lossLambdas.count) * sides.reduce(0) { $0 + map($1.optimizer, steps: o.longSteps / 2) }
        work["bulk"] = sides.reduce(0) { $0 + map($1.optimizer, steps: o.longSteps) }
        work["power-law"] = sides.reduce(0) { $0 + map($1.optimizer, steps: o.longSteps / 2, groups: Double(Self.powerLawDimension)) }
        var muon = 0.0
        for d in o.muonScale.dimensions {
            for lambda in o.muonScale.lambdas {
                for series in MuonAtScaleSeries.all {
                    let c = Self.muonAtScaleConfiguration(series, lambda: lambda, dimension: d, sizes: o.muonScale,
                                                          base: o.experiment)
                    muon += map(series.optimizer, steps: c.steps + 1)
                }
            }
        }
        work["muon-at-scale"] = muon
        return work
    }
}
