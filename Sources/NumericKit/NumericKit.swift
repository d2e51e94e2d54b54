import CGSL
import CLapacke

/// NumericKit: thin Swift wrappers over GSL (ODE integration) and OpenBLAS/LAPACKE
/// (dense linear algebra). Everything heavy is delegated to those libraries.
package enum NumericKit {
    /// Fixes OpenBLAS's thread count (results are bit-reproducible only for a fixed count).
    /// Process-wide: call it once at process start (the CLI) or before worker threads start,
    /// never while BLAS work may be running on another thread. Library code only reads it.
    package static func setBLASThreads(_ count: Int) { openblas_set_num_threads(Int32(count)) }
    package static var blasThreads: Int { Int(openblas_get_num_threads()) }
}
