import CGSL
import CLapacke

/// NumericKit: thin Swift wrappers over GSL (ODE integration) and OpenBLAS/LAPACKE
/// (dense linear algebra). Everything heavy is delegated to those libraries.
public enum NumericKit {
    /// Fixes OpenBLAS's thread count (results are bit-reproducible only for a fixed count).
    public static func setBLASThreads(_ count: Int) { openblas_set_num_threads(Int32(count)) }
    public static var blasThreads: Int { Int(openblas_get_num_threads()) }
}
