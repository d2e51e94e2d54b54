import Foundation

/// External programs some tests need. A test that needs one is declared with
/// `.enabled(if: ExternalTools.x != nil)`, so without it the run reports it SKIPPED (never a
/// silent pass).
enum ExternalTools {
    /// A Python with nbformat and nbconvert, named by SPECGD_PYTHON (scripts/test sets it).
    static let python: String? = ProcessInfo.processInfo.environment["SPECGD_PYTHON"]
        .flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
}
