import Model
import Foundation
import NumericKit
import SpecgdSupport
import Theory

/// One phase-retrieval problem in Σ's eigenbasis: the spectrum σ (Σ = diag σ), the unit
/// teacher θ*, the spike directions and what the summary statistics project out.
public struct Problem: Sendable {
    public let spectrum: [Double]
    public let teacher: [Double]
    /// Σθ* and θ*ᵀΣθ*, constant through the run.
    public let sigmaTeacher: [Double]
    public let teacherEnergy: Double
    /// The first spike direction v (e_2) when there is a spike.
    public let spikeCoordinate: Int?
    /// Orthonormal basis (columns) of span{θ*, spike directions}: P⊥ = I − QQᵀ.
    let projected: Matrix
    /// The exact map's groups and each coordinate's group (`TheoryConfiguration.coordinateGroups`)
    /// when θ* is an eigen-direction: the statistics are then measured through them, so a, b, c,
    /// q mean what the map's columns mean (docs/model.md §5). nil for a random teacher (θ* in no
    /// group) or where the map has no model (a spiked d without a bulk): `projected` serves.
    public private(set) var groups: (model: GroupedModel, coordinates: [Int])?
    public var dimension: Int { spectrum.count }

    public init(configuration c: SimulationConfiguration) throws {
        let d = c.dimension
        var sigma = [Double](repeating: 1, count: d)
        var spikeCoordinates: [Int] = []
        switch c.covariance {
        case .spiked:
            for (k, lambda) in c.resolvedSpikes.enumerated() {
                sigma[k + 1] = 1 + lambda
                spikeCoordinates.append(k + 1)
            }
        case .powerLaw:
            sigma = Spectra.powerLaw(beta: c.beta, dimension: d)
        case .diagonal:
            sigma = c.spectrum ?? sigma
        case .custom:
            try c.validate()  // refuses custom groups with its one-line message
        }
        for value in sigma { try Validate.positive(value, "eigenvalue of Σ") }
        var theta = [Double](repeating: 0, count: d)
        switch c.teacher {
        case .eigen:
            // θ* on the 1-based eigen-direction `signalIndex` (read by power-law and diagonal
            // spectra, as in the theory; the spiked covariance keeps it on e_1).
            let readsIndex = c.covariance == .powerLaw || c.covariance == .diagonal
            theta[readsIndex ? c.signalIndex - 1 : 0] = 1
        case .random:
            var rng = Xoshiro256(seed: c.seed, stream: 0)
            rng.fillGaussian(&theta)
            let norm = theta.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in 0..<d { theta[i] /= norm }
        }
        try self.init(spectrum: sigma, teacher: theta, spikeCoordinates: spikeCoordinates)
        if c.teacher == .eigen {
            let theory = TheoryConfiguration(c.experiment)
            if let model = try? theory.model(), model.dimension == d { groups = (model, try theory.coordinateGroups()) }
        }
    }

    /// A problem from explicit pieces (tests, custom set-ups). `teacher` is normalised.
    public init(spectrum: [Double], teacher: [Double], spikeCoordinates: [Int] = []) throws {
        let d = spectrum.count
        guard teacher.count == d else { throw InputError("teacher has \(teacher.count) entries for dim \(d)") }
        let norm = teacher.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else { throw InputError("teacher must be a non-zero finite vector") }
        self.spectrum = spectrum
        self.teacher = teacher.map { $0 / norm }
        var st = [Double](repeating: 0, count: d)
        var energy = 0.0
        for i in 0..<d {
            st[i] = spectrum[i] * self.teacher[i]
            energy += self.teacher[i] * st[i]
        }
        sigmaTeacher = st
        teacherEnergy = energy
        spikeCoordinate = spikeCoordinates.first
        // Gram–Schmidt (twice, for stability) of θ*, e_{spike_1}, …; dependent vectors dropped.
        var basis: [[Double]] = []
        var candidates = [self.teacher]
        for k in spikeCoordinates {
            var e = [Double](repeating: 0, count: d)
            e[k] = 1
            candidates.append(e)
        }
        for var v in candidates {
            for _ in 0..<2 {
                for q in basis {
                    var dot = 0.0
                    for i in 0..<d { dot += q[i] * v[i] }
                    for i in 0..<d { v[i] -= dot * q[i] }
                }
            }
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if n > 1e-12 { basis.append(v.map { $0 / n }) }
        }
        projected = Matrix(rows: d, columns: basis.count, storage: basis.flatMap { $0 })
    }

    /// d − (number of projected-out directions): the normaliser of c² (√ of it divides c).
    public var bulkDimension: Int { max(dimension - projected.columns, 1) }
}
