import Model
import SpecgdSupport

/// One block of coordinates of a diagonal W that share the input variance σ_g, the target
/// t_g (1 on θ*'s direction, else 0) and hence, by symmetry, a common coefficient s_g.
public struct Group: Sendable, Codable, Equatable {
    public var name: String
    /// σ_g: the eigenvalue of Σ on this block.
    public var eigenvalue: Double
    /// p_g: how many coordinates the block holds.
    public var multiplicity: Int
    /// t_g: the teacher's squared weight on the block (1 for θ*, 0 elsewhere).
    public var target: Double

    public init(name: String, eigenvalue: Double, multiplicity: Int, target: Double = 0) {
        self.name = name
        self.eigenvalue = eigenvalue
        self.multiplicity = multiplicity
        self.target = target
    }
}

/// The grouped diagonal model of docs/model.md §3: the single code path behind the spiked
/// (signal, spike, bulk) case, power-law spectra and custom groups.
///
/// With M = WWᵀ − θ*θ*ᵀ diagonal, s_g² − t_g on group g:
///   T = tr(MΣ) = Σ_g p_g σ_g (s_g² − t_g)
///   ∂L/∂s_g (per coordinate) = σ_g s_g (2σ_g (s_g² − t_g) + T)
///   L = ¼ (2 Σ_g p_g σ_g² (s_g² − t_g)² + T²)
public struct GroupedModel: Sendable, Codable, Equatable {
    public let groups: [Group]
    /// Index of the group carrying θ* (target 1).
    public let signalIndex: Int

    public init(groups: [Group]) throws {
        guard !groups.isEmpty else { throw InputError("a model needs at least one group") }
        // The messages are built only for a group that fails (string interpolation per group was
        // ~5% of a short flow run, which constructs its model once).
        for g in groups where !(g.eigenvalue > 0 && g.eigenvalue.isFinite && g.multiplicity >= 1 && g.target >= 0 && g.target.isFinite) {
            try Validate.positive(g.eigenvalue, "eigenvalue of group '\(g.name)'")
            try Validate.atLeast(g.multiplicity, 1, "multiplicity of group '\(g.name)'")
            try Validate.nonNegative(g.target, "target of group '\(g.name)'")
        }
        let signals = groups.indices.filter { groups[$0].target > 0 }
        guard signals.count == 1, groups[signals[0]].target == 1, groups[signals[0]].multiplicity == 1 else {
            throw InputError("exactly one group must carry the unit teacher θ* (target 1, multiplicity 1)")
        }
        self.groups = groups
        self.signalIndex = signals[0]
    }

    public var count: Int { groups.count }
    /// d = Σ_g p_g.
    public var dimension: Int { groups.reduce(0) { $0 + $1.multiplicity } }

    /// T = tr(MΣ) (`ManifoldGradient.traceTerm` per group, in group order).
    @inlinable
    public func trace(_ s: [Double]) -> Double {
        var t = 0.0
        for g in 0..<groups.count {
            let group = groups[g]
            t += ManifoldGradient.traceTerm(multiplicity: Double(group.multiplicity), eigenvalue: group.eigenvalue,
                                            value: s[g], target: group.target)
        }
        return t
    }

    /// The per-coordinate gradient coefficient of every group (`ManifoldGradient.coefficient`), written into `out`.
    @inlinable
    public func gradient(_ s: [Double], into out: inout [Double]) {
        let t = trace(s)
        for g in 0..<groups.count {
            let group = groups[g]
            out[g] = ManifoldGradient.coefficient(eigenvalue: group.eigenvalue, value: s[g], target: group.target, trace: t)
        }
    }

    public func gradient(_ s: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: groups.count)
        gradient(s, into: &out)
        return out
    }

    /// Population loss ¼ E[(f_W(x) − y)²] on the manifold.
    public func loss(_ s: [Double]) -> Double {
        var quadratic = 0.0
        for g in 0..<groups.count {
            let group = groups[g]
            let m = s[g] * s[g] - group.target
            quadratic += Double(group.multiplicity) * group.eigenvalue * group.eigenvalue * m * m
        }
        let t = trace(s)
        return 0.25 * (2 * quadratic + t * t)
    }

    /// ‖W‖²_F = Σ_g p_g s_g².
    public func frobeniusSquared(_ s: [Double]) -> Double {
        var total = 0.0
        for g in 0..<groups.count { total += Double(groups[g].multiplicity) * s[g] * s[g] }
        return total
    }

    /// Overall alignment a² / ‖W‖²_F (1 at the teacher, 1/d at identity initialisation).
    public func alignment(_ s: [Double]) -> Double {
        let norm = frobeniusSquared(s)
        return norm > 0 ? s[signalIndex] * s[signalIndex] / norm : 0
    }
}
