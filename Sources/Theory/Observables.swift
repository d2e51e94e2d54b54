/// The summary quantities every trajectory table reports, defined once.
///
/// a = the signal coefficient; b = the spike group's coefficient (`spikeIndex`); c = the
/// coefficient of the remaining ("bulk") groups — the signed coefficient when there is exactly
/// one such group (the spiked case), else their root-mean-square √(q / Σ_bulk p_g);
/// q = Σ_bulk p_g s_g² (bulk mass); T = tr(MΣ); alignment = a²/‖W‖²_F;
/// spike_alignment = a²/(a² + b²).
public struct Observables: Sendable, Equatable {
    public var a, b, c, q, trace, loss, alignment, spikeAlignment: Double
}

extension GroupedModel {
    /// Indices of the bulk groups (neither signal nor spike).
    public var bulkIndices: [Int] {
        groups.indices.filter { $0 != signalIndex && $0 != spikeIndex }
    }

    /// Σ_bulk p_g s_g².
    public func bulkMass(_ s: [Double]) -> Double {
        var q = 0.0
        for g in bulkIndices { q += Double(groups[g].multiplicity) * s[g] * s[g] }
        return q
    }

    public func observables(_ s: [Double]) -> Observables {
        let a = s[signalIndex]
        let b = spikeIndex.map { s[$0] } ?? 0
        let bulk = bulkIndices
        let q = bulkMass(s)
        let c: Double
        if bulk.count == 1 { c = s[bulk[0]] } else if bulk.isEmpty { c = 0 } else {
            let count = bulk.reduce(0) { $0 + groups[$1].multiplicity }
            c = (q / Double(count)).squareRoot()
        }
        let ab = a * a + b * b
        return Observables(a: a, b: b, c: c, q: q, trace: trace(s), loss: loss(s),
                           alignment: alignment(s), spikeAlignment: ab > 0 ? a * a / ab : 0)
    }

    /// Whether the table needs per-group `s_<name>` columns (anything but the 3 spiked groups).
    public var isSpikedLayout: Bool {
        groups.map(\.name) == ["a", "b", "c"]
    }
}
