import Model
import Foundation
import NumericKit
import SpecgdSupport

/// Where the time of one optimiser step goes, and how it compares with a bare LAPACK
/// `dgesdd` on the same gradient matrix (the floor for an exact SpecGD step).
package struct StepProfile: Sendable, Codable {
    package var dimension: Int
    package var width: Int
    package var method: Method
    package var polar: PolarMethod
    package var threads: Int
    package var steps: Int
    /// Mean seconds per full step (gradient + update).
    package var step: Double
    /// Mean seconds of the gradient alone.
    package var gradient: Double
    /// Mean seconds of the update (polar factor + axpy for SpecGD).
    package var update: Double
    /// Mean seconds of `ThinSVD.factor` (dgesdd, jobz = S) on the gradient matrix.
    package var bareGesdd: Double
    /// step / bareGesdd.
    package var stepOverGesdd: Double
    /// Mean seconds of the BLAS calls no dense population gradient can avoid, on matrices of
    /// the gradient's shape: a syrk (d×m → m×m) and a gemm (d×m · m×m).
    package var bareGradientBLAS: Double
    /// Mean seconds of U·Vᵀ after the SVD (a gemm d×k · k×m).
    package var bareProductUVt: Double
    /// The least time a step of this method can take with these BLAS/LAPACK calls and
    /// nothing else: bareGradientBLAS (GD), + bareGesdd + bareProductUVt (SpecGD, exact SVD).
    /// A reference's time divided by this is the largest speed-up any implementation built
    /// on the same routines could show (benchmark rows "ceiling").
    package var floor: Double
    /// `--polar gram`: timed steps whose polar factor fell back to gesdd (ill-conditioned gradient).
    package var gramFallbacks: Int

    /// Times `steps` steps (after one warm-up step) of `configuration`'s first repetition,
    /// then `steps` bare thin SVDs of its last gradient.
    package static func measure(_ configuration: SimulationConfiguration, steps: Int) throws -> StepProfile {
        try Validate.atLeast(steps, 1, "profile steps")
        var trainer = try Trainer(configuration: configuration)
        try trainer.step()
        var gradientTime = 0.0, updateTime = 0.0
        for _ in 0..<steps {
            let t0 = DispatchTime.now().uptimeNanoseconds
            trainer.evaluate()
            let t1 = DispatchTime.now().uptimeNanoseconds
            try trainer.step()
            let t2 = DispatchTime.now().uptimeNanoseconds
            gradientTime += Double(t1 - t0) * 1e-9
            updateTime += Double(t2 - t1) * 1e-9
        }
        trainer.evaluate()
        let g = trainer.currentGradient
        var svd = ThinSVD(rows: g.rows, columns: g.columns)
        let bare = try seconds(steps) { try svd.factor(g) }
        let product = timeProduct(svd, steps: steps)
        let gradientBLAS = timeGradientBLAS(g, steps: steps)
        let floor = gradientBLAS + (configuration.method == .gd ? 0 : bare + product)
        let n = Double(steps)
        let fallbacks = trainer.gramFallbacks
        let step = (gradientTime + updateTime) / n
        return StepProfile(dimension: configuration.dimension, width: configuration.resolvedWidth,
                           method: configuration.method, polar: configuration.optimizer.polarRule,
                           threads: NumericKit.blasThreads, steps: steps, step: step,
                           gradient: gradientTime / n, update: updateTime / n, bareGesdd: bare,
                           stepOverGesdd: step / bare, bareGradientBLAS: gradientBLAS,
                           bareProductUVt: product, floor: floor, gramFallbacks: fallbacks)
    }

    /// Mean seconds of `body` over `repeats` calls, after one warm-up call.
    private static func seconds(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<repeats { try body() }
        return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9 / Double(repeats)
    }

    private static func timeGradientBLAS(_ g: Matrix, steps: Int) -> Double {
        var gram = Matrix(rows: g.columns, columns: g.columns)
        var out = Matrix(rows: g.rows, columns: g.columns)
        return seconds(steps) {
            BLAS.gram(g, into: &gram)
            BLAS.gemm(g, gram, into: &out)
        }
    }

    private static func timeProduct(_ svd: ThinSVD, steps: Int) -> Double {
        var out = Matrix(rows: svd.rows, columns: svd.columns)
        return seconds(steps) { BLAS.gemm(svd.u, svd.vt, into: &out) }
    }
}
