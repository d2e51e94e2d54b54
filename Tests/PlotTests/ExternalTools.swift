import Foundation

/// External programs some tests need. A test that needs one is declared with
/// `.enabled(if: ExternalTools.x != nil)`, so without it the run reports it SKIPPED (never a
/// silent pass).
enum ExternalTools {
    /// librsvg's rsvg-convert (SVG → PNG), wherever the usual package managers put it.
    static let rsvgConvert: String? = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert", "/opt/homebrew/bin/rsvg-convert"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}
