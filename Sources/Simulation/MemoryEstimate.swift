import Model
import NumericKit
import SpecgdSupport

extension SimulationConfiguration {
    /// The memory this run holds at its peak, from the buffers `Problem`, `Trainer` (weights,
    /// gradient, momentum, polar factor or sign, Adam's moments), `PopulationObjective`, `SampleObjective`,
    /// `SummaryStatistics` and `PolarWorkspace` allocate, plus the rows every repetition keeps
    /// and the CSV text of the largest output file. One repetition's workspace counts once per
    /// worker thread running repetitions at the same time (`jobs`, at most `seeds`), and every
    /// repetition's rows count.
    public var memoryEstimate: MemoryEstimate { memoryEstimate(jobs: 1) }

    public func memoryEstimate(jobs: Int) -> MemoryEstimate {
        let workers = max(1, min(jobs, seeds))
        var e = MemoryEstimate()
        for _ in 0..<workers { e = e + repetitionWorkspace }
        return e + recordedRows
    }

    /// What one repetition allocates while it runs, rows aside.
    private var repetitionWorkspace: MemoryEstimate {
        let d = Double(self.dimension), m = Double(resolvedWidth)
        let projected = Double(self.resolvedSpikes.count + 1)  // span{θ*, spike directions}
        var e = MemoryEstimate()

        // d×m buffers: W, ∇L, Σ^{1/2}W (population objective), P⊥W (statistics), the W₀ draw.
        var matrices = 4.0
        if initialization == .orthogonal { matrices += m > d ? 2 : 1 }  // Gaussian draw (and Qᵀ)
        if self.optimizer.momentum > 0 { matrices += 2 }                    // B and the direction
        switch self.method {
        case .specgd, .signgd: matrices += 1                                // polar(U), sign(U)
        case .adam: matrices += 3                                           // m, v and the update
        case .gd: break
        case .rule: matrices += 1                                           // the update
        }
        e.add("d×m matrices", doubles: matrices * d * m)
        e.add("m×m Gram matrix", doubles: m * m)
        if self.method == .specgd { e = e + Self.polarWorkspace(rows: d, columns: m, method: self.optimizer.polarRule) }
        if let rule = self.method.updateRule { e.add("\(rule.displayName) workspace", doubles: rule.denseWorkspaceDoubles(rows: d, columns: m)) }

        // Problem: σ, θ*, Σθ* and the temporaries of Σ; the projection basis (Gram–Schmidt
        // candidates, basis and the stored matrix).
        e.add("problem vectors", doubles: 5 * d + 3 * projected * d + 3 * m)
        if self.covariance == .diagonal { e.add("problem vectors", doubles: d) }

        switch training {
        case .population: break
        case .samples(let n): e = e + Self.samples(Double(n), d: d, m: m, name: "n×d samples")
        case .online(let b): e = e + Self.samples(Double(b), d: d, m: m, name: "batch×d samples")
        }
        return e
    }

    private var recordedRows: MemoryEstimate {
        var e = MemoryEstimate()
        // Rows: steps/every + 2 per repetition (step 0, every E steps, the last step).
        let rows = Double(self.steps / self.every) + 2
        let columns = TrajectoryColumns.simulation.count
        let s = Double(seeds)
        if seeds == 1 {
            e = e + MemoryEstimate.recorded(rows: rows, columns: columns)
        } else {
            e.add("recorded rows (\(seeds) seeds)", bytes: MemoryEstimate.tableBytes(rows: s * rows, columns: columns))
            let aggregated = 1 + (columns - 1) * (1 + Aggregate.suffixes.count)
            e.add("recorded rows (\(seeds) seeds)", bytes: MemoryEstimate.tableBytes(rows: rows, columns: aggregated))
            // PATH.seeds.csv: every repetition's rows with a seed column, as rows and as text.
            e = e + MemoryEstimate.recorded(rows: s * rows, columns: columns + 1, name: "per-seed rows")
        }
        return e
    }

    /// x (n×d), XW (n×m), y and the residuals.
    private static func samples(_ n: Double, d: Double, m: Double, name: String) -> MemoryEstimate {
        var e = MemoryEstimate()
        e.add(name, doubles: n * d + n * m + 2 * n)
        return e
    }

    /// `PolarWorkspace(rows: d, columns: m, method:)` (`PolarWorkspace.estimatedDoubles`).
    static func polarWorkspace(rows r: Double, columns c: Double, method: PolarMethod) -> MemoryEstimate {
        let doubles = PolarWorkspace.estimatedDoubles(rows: r, columns: c, method: method)
        var e = MemoryEstimate()
        e.add("polar workspace", doubles: doubles)
        return e
    }
}
