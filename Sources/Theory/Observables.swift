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
        assemble(coefficient: { s[$0] }, square: { s[$0] * s[$0] },
                 mass: { Double(self.groups[$0].multiplicity) * s[$0] * s[$0] },
                 total: frobeniusSquared(s), trace: trace(s), loss: loss(s))
    }

    /// The observables of a dense W measured through the groups (docs/model.md §5 "The dense
    /// run's statistics"): `masses` = `groupMasses(of:coordinateGroups:)`, so s_g = √(mass_g/p_g)
    /// is `projectedStart`'s coefficient and a, b, c, q, spike_alignment are the map's formulas
    /// on it; alignment divides by `total` = ‖W‖²_F measured on W (off the manifold it is not
    /// Σ_g mass_g); `loss` is the dense run's own (population) loss. T is not measured (NaN).
    public func observables(masses: [Double], total: Double, loss: Double) -> Observables {
        assemble(coefficient: { (masses[$0] / Double(self.groups[$0].multiplicity)).squareRoot() },
                 square: { masses[$0] / Double(self.groups[$0].multiplicity) },
                 mass: { masses[$0] }, total: total, trace: .nan, loss: loss)
    }

    /// The one assembly of the columns from per-group values, for the map (coefficients s_g)
    /// and a dense W (its group masses): `coefficient` = s_g, `square` = s_g², `mass` = p_g s_g²
    /// (each side computes them its own way, so that its columns keep their bits), `total` = ‖W‖²_F.
    @inline(__always)
    private func assemble(coefficient: (Int) -> Double, square: (Int) -> Double, mass: (Int) -> Double,
                          total: Double, trace: Double, loss: Double) -> Observables {
        let spike = spikeIndex
        let a = coefficient(signalIndex)
        let b = spike.map(coefficient) ?? 0
        // One pass over the bulk groups (observables are taken per recorded row): q as in
        // `bulkMass`, same order, plus what c needs.
        var q = 0.0, bulkCount = 0, bulkMultiplicity = 0, onlyBulk = 0
        for g in groups.indices where isBulk(g, spike: spike) {
            q += mass(g)
            bulkCount += 1
            bulkMultiplicity += groups[g].multiplicity
            onlyBulk = g
        }
        let c: Double
        if bulkCount == 1 { c = coefficient(onlyBulk) } else if bulkCount == 0 { c = 0 } else {
            c = (q / Double(bulkMultiplicity)).squareRoot()
        }
        let a2 = square(signalIndex)
        let ab = a2 + (spike.map(square) ?? 0)
        return Observables(a: a, b: b, c: c, q: q, trace: trace, loss: loss,
                           alignment: total > 0 ? a2 / total : 0, spikeAlignment: ab > 0 ? a2 / ab : 0)
    }

    /// Whether the table needs per-group `s_<name>` columns (anything but the 3 spiked groups).
    var isSpikedLayout: Bool {
        groups.count == 3 && groups[0].name == "a" && groups[1].name == "b" && groups[2].name == "c"
    }
}
