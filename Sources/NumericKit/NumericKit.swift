import CGSL
import CLapacke
import SpecgdSupport

/// NumericKit: thin Swift wrappers over GSL (ODE integration) and OpenBLAS/LAPACKE
/// (dense linear algebra). Everything heavy is delegated to those libraries.
package enum NumericKit {
    /// Fixes OpenBLAS's thread count (results are bit-reproducible only for a fixed count).
    /// Process-wide: call it once at process start (the CLI) or before worker threads start,
    /// never while BLAS work may be running on another thread. Library code only reads it.
    package static func setBLASThreads(_ count: Int) { openblas_set_num_threads(Int32(count)) }
    package static var blasThreads: Int { Int(openblas_get_num_threads()) }
    /// Address space OpenBLAS maps for the work buffer of each call running at once (one per
    /// thread that calls BLAS): BUFFER_SIZE = 32 << 22 bytes in 0.3.21's x86_64 build
    /// (common_x86_64.h). Without room for it OpenBLAS does not fail: every call retries a
    /// failing mmap (`AddressSpace`).
    package static let blasWorkBufferBytes = AddressSpace.workBufferBytes
}
