import Foundation
import Model
import NumericKit
import SpecgdSupport

/// Where an exact-map run starts (docs/model.md §3 "Starting from a given W₀"): by default every
/// group at α (W₀ = αI); with a `TheoryStart` at the group coefficients it holds, e.g. the
/// projected overlaps of one seed's dense W₀ (`GroupedModel.projectedStart`).
public struct TheoryStart: Sendable, Codable, Equatable {
    /// s_g(0) per group, in the model's group order (magnitudes: an overlap is a norm).
    public var coefficients: [Double]
    /// Where they come from, in words (e.g. "gaussian W₀, seed 3, repetition 0"); informational.
    public var source: String?

    public init(coefficients: [Double], source: String? = nil) {
        self.coefficients = coefficients
        self.source = source
    }
}

extension TheoryConfiguration {
    /// The coefficients the map starts from: `start` when given, else α for every group.
    func startCoefficients(_ model: GroupedModel) -> [Double] {
        start?.coefficients ?? model.identityStart(alpha: self.alpha)
    }

    /// Per coordinate of Σ's eigenbasis (0-based, the dense run's rows), the index of its group
    /// in `model()`: the same grouping, so a dense W₀ projects onto exactly these groups.
    /// Custom groups have no coordinates (no dense run has them).
    public func coordinateGroups() throws -> [Int] {
        let d = self.dimension
        switch self.covariance {
        case .spiked:
            // spiked(spikes:dimension:)'s order: a (e₁), one group per spike (e₂, e₃, …), the bulk.
            let k = self.resolvedSpikes.count
            return (0..<d).map { i in i <= k ? i : k + 1 }
        case .powerLaw:
            return GroupedModel.diagonalGrouping(eigenvalues: Spectra.powerLaw(beta: self.beta, dimension: d), signalIndex: self.signalIndex).coordinateGroups
        case .diagonal:
            return GroupedModel.diagonalGrouping(eigenvalues: self.spectrum ?? [], signalIndex: self.signalIndex).coordinateGroups
        case .custom:
            throw InputError("custom groups have no coordinates to project a W₀ on (a start from a W₀ needs --covariance spiked, power-law or diagonal)")
        }
    }
}

extension GroupedModel {
    /// The map's start from a dense W (d×m, rows in Σ's eigenbasis, θ* on its eigen-direction):
    /// s_g = √(Σ_{i∈g} ‖e_iᵀW‖² / p_g), the root-mean-square row norm over group g's coordinates
    /// (docs/model.md §3). The squares are summed column by column, rows in order — the order in
    /// which the dense statistics sum ‖Wᵀθ*‖², ‖Wᵀv‖² and ‖P⊥W‖²_F — so on the spiked model
    /// (s_a, s_b, s_c) equal the simulation's step-0 (a, b, c) bit for bit.
    public func projectedStart(of w: Matrix, coordinateGroups: [Int]) throws -> [Double] {
        let mass = try groupMasses(of: w, coordinateGroups: coordinateGroups)
        return groups.indices.map { (mass[$0] / Double(groups[$0].multiplicity)).squareRoot() }
    }

    /// Σ_{i∈g} ‖e_iᵀW‖² per group g (W d×m, rows in Σ's eigenbasis), summed column by column,
    /// rows in order: what `projectedStart` and the dense run's statistics
    /// (`observables(masses:total:loss:)`) are built on.
    public func groupMasses(of w: Matrix, coordinateGroups: [Int]) throws -> [Double] {
        guard w.rows == dimension, coordinateGroups.count == w.rows else {
            throw InputError("W has \(w.rows) rows for a model of dimension \(dimension)")
        }
        var mass = [Double](repeating: 0, count: count)
        w.storage.withUnsafeBufferPointer { p in
            for j in 0..<w.columns {
                for i in 0..<w.rows {
                    let x = p[i + j * w.rows]
                    mass[coordinateGroups[i]] += x * x
                }
            }
        }
        return mass
    }

    /// One draw of the projected start under `law` (docs/model.md §3 "The law of the projected
    /// start"), without forming W₀:
    /// - gaussian (entries N(0, α²/d), d×m): p_g s_g² = (α²/d)·χ²_{p_g·m}, independent across groups;
    /// - orthogonal with m ≥ d (orthonormal rows, or square): every row has norm α, s_g = α;
    /// - orthogonal with m < d (orthonormal columns, span a Haar m-subspace): ‖e_iᵀW‖² = α²P_ii with
    ///   P the projector on that subspace; P_ii = ‖Π_m u_i‖² for a Haar orthonormal frame (u_i) and
    ///   the first m coordinates (P = OΠ_mOᵀ, u_i = Oᵀe_i), drawn for every coordinate outside the
    ///   largest group (Gram–Schmidt of Gaussian vectors); the largest group takes m − Σ the rest;
    /// - identity: s_g = α.
    public func sampleStart(_ law: StartLaw, rng: inout Xoshiro256) -> [Double] {
        let alpha = law.alpha, m = law.width, d = dimension
        switch law.initialization {
        case .identity:
            return identityStart(alpha: alpha)
        case .gaussian:
            let scale = alpha / Double(d).squareRoot()
            return groups.map { g in
                let p = Double(g.multiplicity)
                return scale * (rng.chiSquare(degrees: p * Double(m)) / p).squareRoot()
            }
        case .orthogonal:
            guard m < d else { return identityStart(alpha: alpha) }
            let largest = groups.indices.max { groups[$0].multiplicity < groups[$1].multiplicity }!
            var mass = [Double](repeating: 0, count: count)
            var frame: [[Double]] = []
            for g in groups.indices where g != largest {
                for _ in 0..<groups[g].multiplicity {
                    var v = [Double](repeating: 0, count: d)
                    rng.fillGaussian(&v)
                    for _ in 0..<2 {  // twice, for orthogonality to rounding
                        for u in frame {
                            var dot = 0.0
                            for i in 0..<d { dot += u[i] * v[i] }
                            for i in 0..<d { v[i] -= dot * u[i] }
                        }
                    }
                    var norm = 0.0
                    for x in v { norm += x * x }
                    norm = norm.squareRoot()
                    for i in 0..<d { v[i] /= norm }
                    var inside = 0.0
                    for i in 0..<m { inside += v[i] * v[i] }
                    mass[g] += inside
                    frame.append(v)
                }
            }
            mass[largest] = max(Double(m) - mass.reduce(0, +), 0)
            return groups.indices.map { alpha * (mass[$0] / Double(groups[$0].multiplicity)).squareRoot() }
        }
    }
}

/// The law of a dense W₀ (`Initialization` at width m and scale α, as `simulate` draws it).
public struct StartLaw: Sendable, Codable, Equatable {
    public var initialization: Initialization
    /// m, the columns of W₀.
    public var width: Int
    public var alpha: Double

    public init(initialization: Initialization, width: Int, alpha: Double) {
        self.initialization = initialization
        self.width = width
        self.alpha = alpha
    }
}

extension TheoryStart {
    /// The start a recorded trajectory begins at: its step-0 row (the first row) of a `simulate`
    /// or `theory` CSV. Per-group `s_<name>` columns when the table has one for every group
    /// (a grouped theory run), else a, b, c for the spiked layout (what `simulate` records).
    public static func recorded(_ table: Table, model: GroupedModel, source: String) throws -> TheoryStart {
        guard let first = table.rows.first, let step = table.index(of: "step") else {
            throw InputError("\(source) has no rows (or no 'step' column) to start from")
        }
        guard first[step] == 0 else { throw InputError("\(source) does not begin at step 0 (first step \(Table.format(first[step])))") }
        let perGroup = model.groups.map { table.index(of: "s_\($0.name)") }
        let indices: [Int]
        if perGroup.allSatisfy({ $0 != nil }) {
            indices = perGroup.map { $0! }
        } else if model.isSpikedLayout, let a = table.index(of: "a"), let b = table.index(of: "b"), let c = table.index(of: "c") {
            indices = [a, b, c]
        } else {
            throw InputError("\(source) has neither s_<group> columns for the groups \(model.groups.map(\.name).joined(separator: ", ")) nor, for the spiked model, a, b, c")
        }
        let coefficients = indices.map { abs(first[$0]) }
        for value in coefficients { try Validate.finite(value, "start coefficient in \(source)") }
        return TheoryStart(coefficients: coefficients, source: "step 0 of \(source)")
    }
}
