import Model
import SpecgdSupport

extension TheoryConfiguration {
    /// How many groups the model has (power-law: one per distinct eigenvalue, i.e. d for β > 0),
    /// without building it.
    var groupCount: Double {
        switch self.covariance {
        case .spiked: return 3
        case .powerLaw: return self.beta == 0 ? 2 : Double(self.dimension)
        case .diagonal: return Double(self.spectrum.map { Set($0.map(\.bitPattern)).count + 1 } ?? self.dimension)
        case .custom: return Double(groups?.count ?? 0)
        }
    }

    /// The rows the run keeps: step 0, every E steps and the last (maps); the output times
    /// 0, dt, 2dt, … up to t_end (flows).
    var recordedRows: Double {
        switch dynamics {
        case .map, .largeD: return Double(self.steps / self.every) + 2
        case .flow: return (flowEnd / flowInterval).rounded(.up) + 2
        }
    }

    /// Columns of the CSV: step, [time,] the 8 observables, s_<group> for non-spiked models,
    /// and the *_smoothed columns of switching = both.
    var recordedColumns: Int {
        let perGroup = self.covariance == .spiked ? 0 : Int(Swift.min(groupCount, 1e15))
        switch dynamics {
        case .map: return 1 + 8 + perGroup
        case .largeD: return 1 + 8
        case .flow: return 2 + 8 + perGroup + (self.method == .specgd && flow.switching == .both ? 6 : 0)
        }
    }

    /// The memory the run holds at its peak: the model (a power-law spectrum and its groups),
    /// the recorded rows with their CSV text, and a flow's stored states.
    public var memoryEstimate: MemoryEstimate {
        var e = MemoryEstimate.recorded(rows: recordedRows, columns: recordedColumns)
        let groups = groupCount
        // A group (name, σ, p, t) plus the eigenvalue list and the grouping dictionary.
        if self.covariance == .powerLaw { e.add("model groups", bytes: 80 * Double(self.dimension)) } else {
            e.add("model groups", bytes: 64 * groups)
        }
        if dynamics == .flow {
            let copies: Double = self.method == .specgd && flow.switching == .both ? 2 : 1
            e.add("flow states", bytes: copies * MemoryEstimate.tableBytes(rows: recordedRows, columns: Int(Swift.min(groups, 1e15))))
            e.add("flow states", doubles: recordedRows)  // the output times
        }
        return e
    }
}
