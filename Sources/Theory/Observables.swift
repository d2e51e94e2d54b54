import Model
/// `Observables` (Model) on the manifold: which group is the signal, the spike and the bulk.
///
/// a = the signal coefficient; b = the spike group's coefficient (`spikeIndex`); c = the
/// coefficient of the remaining ("bulk") groups — the signed coefficient when there is exactly
/// one such group (the spiked case), else their root-mean-square √(q / Σ_bulk p_g);
/// q = Σ_bulk p_g s_g² (bulk mass); T = tr(MΣ); alignment = a²/‖W‖²_F;
/// spike_alignment = a²/(a² + b²).
extension GroupedModel {
    /// Whether group g is a bulk group (neither signal nor spike), `spike` = `spikeIndex`
    /// looked up once by the caller.
    @inline(__always)
    private func isBulk(_ g: Int, spike: Int?) -> Bool { g != signalIndex && g != spike }

    /// Indices of the bulk groups (neither signal nor spike).
    public var bulkIndices: [Int] {
        let spike = spikeIndex
        return groups.indices.filter { isBulk($0, spike: spike) }
    }

    /// Σ_bulk p_g s_g², summed in index order.
    public func bulkMass(_ s: [Double]) -> Double {
        let spike = spikeIndex
        var q = 0.0
        for g in groups.indices where isBulk(g, spike: spike) { q += Double(groups[g].multiplicity) * s[g] * s[g] }
        return q
    }

    public func observables(_ s: [Double]) -> Observables {
        let spike = spikeIndex
        let a = s[signalIndex]
        let b = spike.map { s[$0] } ?? 0
        // One pass over the bulk groups (observables are taken per recorded row): q as in
        // `bulkMass`, same order, plus what c needs.
        var q = 0.0, bulkCount = 0, bulkMultiplicity = 0, onlyBulk = 0
        for g in groups.indices where isBulk(g, spike: spike) {
            q += Double(groups[g].multiplicity) * s[g] * s[g]
            bulkCount += 1
            bulkMultiplicity += groups[g].multiplicity
            onlyBulk = g
        }
        let c: Double
        if bulkCount == 1 { c = s[onlyBulk] } else if bulkCount == 0 { c = 0 } else {
            c = (q / Double(bulkMultiplicity)).squareRoot()
        }
        let ab = a * a + b * b
        return Observables(a: a, b: b, c: c, q: q, trace: trace(s), loss: loss(s),
                           alignment: alignment(s), spikeAlignment: ab > 0 ? a * a / ab : 0)
    }

    /// Whether the table needs per-group `s_<name>` columns (anything but the 3 spiked groups).
    public var isSpikedLayout: Bool {
        groups.count == 3 && groups[0].name == "a" && groups[1].name == "b" && groups[2].name == "c"
    }
}
