import Foundation
import SpecgdSupport

/// A file format a figure can be written in. The SVG is always written (it is what the recipes
/// redraw, what `specgd report` embeds and what the others are converted from); PNG and PDF are
/// converted from it by librsvg's `rsvg-convert`, never rasterised here.
public enum FigureFormat: String, CaseIterable, Codable, Sendable {
    case svg, png, pdf
}

/// The formats one command writes its figures in (`--format svg,png,pdf`, `--dpi`), and the
/// conversion of a written SVG into the others: the one place any command makes a PNG or PDF.
public struct FigureFormats: Sendable, Equatable {
    /// The formats besides SVG, in the order given, without repeats.
    public let extras: [FigureFormat]
    /// PNG resolution in dots per inch; the SVG is laid out in CSS pixels (96 per inch), so a
    /// PNG is the SVG zoomed by dpi/96.
    let dpi: Double
    /// `rsvg-convert`, found on PATH when a conversion is asked for (nil for SVG only).
    public let converter: String?

    public static let defaultDPI = 300.0
    /// SVG only: no conversion, no external tool.
    public static let svgOnly = FigureFormats(uncheckedExtras: [], dpi: defaultDPI, converter: nil)

    private init(uncheckedExtras: [FigureFormat], dpi: Double, converter: String?) {
        extras = uncheckedExtras
        self.dpi = dpi
        self.converter = converter
    }

    /// `formats` as asked for; finds `rsvg-convert` now when PNG or PDF is among them, so that a
    /// missing tool is one clear line before anything is computed.
    /// `path` is the search path for the converter (the CLI passes its PATH; the library reads
    /// no environment).
    static let maximumDPI = 10_000.0

    public init(_ formats: [FigureFormat], dpi: Double = defaultDPI, path: String?) throws {
        guard dpi.isFinite, dpi > 0 else { throw InputError("--dpi must be a positive number (got \(dpi))") }
        // 10 000 dpi makes a 7-inch figure 70 000 pixels wide: past that rsvg-convert fails on its own.
        guard dpi <= Self.maximumDPI else { throw InputError("--dpi must be at most \(Int(Self.maximumDPI)) (got \(dpi))") }
        var extras = [FigureFormat]()
        for format in formats where format != .svg && !extras.contains(format) { extras.append(format) }
        var converter: String?
        if !extras.isEmpty {
            guard let found = Self.locate("rsvg-convert", path: path) else {
                throw InputError("--format \(extras.map(\.rawValue).joined(separator: ",")) needs rsvg-convert (librsvg), which is not on PATH: install it with `apt-get install librsvg2-bin` (Debian/Ubuntu; scripts/setup does) or `brew install librsvg`")
            }
            converter = found
        }
        self.init(uncheckedExtras: extras, dpi: dpi, converter: converter)
    }

    /// The file names a figure `NAME.svg` gets besides itself: `NAME.png`, `NAME.pdf`.
    package func extraFiles(forSVG svgName: String) -> [String] {
        let stem = svgName.hasSuffix(".svg") ? String(svgName.dropLast(4)) : svgName
        return extras.map { "\(stem).\($0.rawValue)" }
    }

    /// Converts the SVG file at `svgPath` into every extra format, next to it; returns the
    /// paths written. Each output goes to a temporary file in the same folder and is renamed
    /// over the target, so a failed conversion never leaves a partial PNG or PDF behind.
    /// A cancelled `cancellation` stops the converter (SIGTERM, then waited for), removes its
    /// temporary file and throws `RunInterrupted`.
    @discardableResult
    public func convert(svgAt svgPath: String, cancellation: CancellationToken? = nil) throws -> [String] {
        guard let converter else { return [] }
        let folder = (svgPath as NSString).deletingLastPathComponent
        var written = [String]()
        for (format, name) in zip(extras, extraFiles(forSVG: (svgPath as NSString).lastPathComponent)) {
            let target = folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
            try OutputPath.checkReplaceable(target, label: "cannot write \(target): it")
            let temporary = (folder.isEmpty ? "" : folder + "/") + ".\(name).tmp-\(getpid())"
            var arguments = ["-f", format.rawValue, "-o", temporary]
            if format == .png { arguments += ["-z", String(format: "%.6g", dpi / 96)] }
            arguments.append(svgPath)
            do {
                try Self.run(converter, arguments, cancellation: cancellation)
                guard rename(temporary, target) == 0 else {
                    throw InputError("cannot write \(target): \(String(cString: strerror(errno)))")
                }
            } catch {
                unlink(temporary)
                throw error
            }
            written.append(target)
        }
        return written
    }

    /// Runs the converter; its stderr becomes the error line when it fails. A cancelled
    /// `cancellation` terminates it (and waits for it): no converter outlives the command.
    private static func run(_ executable: String, _ arguments: [String], cancellation: CancellationToken?) throws {
        let result = try Subprocess.run(executable, arguments, cancellation: cancellation)
        if result.cancelled { throw RunInterrupted(step: 0, reason: cancellation?.cancellationReason ?? "cancelled") }
        guard result.status == 0 else {
            let message = String(decoding: result.standardError, as: UTF8.self)
            let line = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? "exit status \(result.status)"
            throw InputError("rsvg-convert \(arguments.joined(separator: " ")) failed: \(line)")
        }
    }

    /// The first executable `name` in the colon-separated `path`.
    static func locate(_ name: String, path: String?) -> String? {
        for folder in (path ?? "").split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
