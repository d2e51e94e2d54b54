import Foundation

/// Covariance spectra shared by the theory and the dense simulation, so that both mean the
/// same Σ by the same name.
package enum Spectra {
    /// σ_i = i^(−β) / m, i = 1..d, with m = (1/d) Σ_j j^(−β): the MEAN eigenvalue is 1
    /// (tr Σ = d, as for the isotropic case). Largest eigenvalue first.
    package static func powerLaw(beta: Double, dimension d: Int) -> [Double] {
        let raw = (1...max(d, 1)).map { pow(Double($0), -beta) }
        let mean = raw.reduce(0, +) / Double(raw.count)
        return raw.map { $0 / mean }
    }
}
