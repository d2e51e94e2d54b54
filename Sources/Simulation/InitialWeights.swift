import Model
import NumericKit
import SpecgdSupport

extension Initialization {
    /// W₀ (d×m) for this initialisation, drawing from `rng` for the random ones.
    package func weights(dimension d: Int, width m: Int, alpha: Double, rng: inout Xoshiro256) throws -> Matrix {
        switch self {
        case .identity:
            guard m == d else { throw InputError("identity initialisation needs m = d (got m = \(m), d = \(d))") }
            return Matrix.identity(d, scale: alpha)
        case .gaussian:
            var w = Matrix(rows: d, columns: m)
            rng.fillGaussian(&w.storage, scale: alpha / Double(d).squareRoot())
            return w
        case .orthogonal:
            // Haar: Q of the QR of a Gaussian; orthonormal rows when m > d.
            let tall = d >= m
            var g = Matrix(rows: tall ? d : m, columns: tall ? m : d)
            rng.fillGaussian(&g.storage)
            var q = try QR.orthonormalColumns(of: g)
            if !tall { q = q.transposed }
            for i in 0..<q.storage.count { q.storage[i] *= alpha }
            return q
        }
    }
}

extension SimulationConfiguration {
    /// Repetition r's W₀ exactly as its `Trainer` draws it — the first draw of stream r + 1 of the
    /// master seed — and the generator after that draw (the Trainer goes on to draw the data
    /// from it). Per-seed theory projects this W₀ (docs/model.md §3).
    public func initialWeights(repetition: Int) throws -> (weights: Matrix, rng: Xoshiro256) {
        try Validate.atLeast(repetition, 0, "repetition")
        var rng = Xoshiro256(seed: seed, stream: repetition + 1)
        let weights = try initialization.weights(dimension: self.dimension, width: resolvedWidth, alpha: self.alpha, rng: &rng)
        return (weights, rng)
    }
}
