import Foundation
import Model
import ArgumentParser
import Plot
import SpecgdSupport

/// `--format svg,png,pdf`, `--dpi` and `--size`: shared by every command that draws figures
/// (figures, compare, check-escape, plot-phase), so every figure has one width convention. `formats()` finds rsvg-convert, so commands call it in
/// `validate()` and a missing converter is refused before anything is computed.
struct FigureFormatOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Comma-separated figure formats; the SVG is always written, PNG and PDF are converted from it by rsvg-convert (librsvg).", valueName: "formats"))
    var format = CommaSeparated<FigureFormat>([.svg])

    @Option(parsing: .unconditional, help: "Resolution of PNG figures in dots per inch (default 300; the SVG's CSS pixels are 96 per inch).")
    var dpi: Double?

    @Option(help: "Width of every figure, its panels sharing it: screen (1200 px), single (3.5 in) or double (7 in) column; PNG and PDF keep the printed size (default: screen; figures --full: double).")
    var size: FigureSize?

    func validate() throws {
        try format.check("--format")
        if let dpi {
            try Validate.positive(dpi, "dpi")
            guard format.values.contains(.png) else { throw InputError("--dpi sets the PNG resolution: give it with --format png") }
        }
    }

    /// The formats asked for, with the converter found (one line naming librsvg2-bin when not).
    func formats() throws -> FigureFormats {
        try FigureFormats(format.values, dpi: dpi ?? FigureFormats.defaultDPI, path: ProcessInfo.processInfo.environment["PATH"])
    }
}
