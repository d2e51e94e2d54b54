import Model
import Foundation
import Testing
import Experiments

/// `--format svg,png,pdf` and `--dpi`: PNG and PDF converted from the SVG by rsvg-convert, listed
/// in the records, nothing left half-written, and a missing converter refused up front.
@Suite struct FigureFormatTests {
    /// Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian).
    static func pngSize(_ path: String) throws -> (Int, Int) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(path) is not a PNG")
        func word(_ at: Int) -> Int { data[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (word(16), word(20))
    }

    /// The SVG's width and height attributes (CSS pixels).
    static func svgSize(_ path: String) throws -> (Double, Double) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        func attribute(_ name: String) -> Double {
            guard let range = text.range(of: " \(name)=\"([0-9.]+)\"", options: .regularExpression) else { return .nan }
            return Double(text[range].split(separator: "\"")[1]) ?? .nan
        }
        return (attribute("width"), attribute("height"))
    }

    static func record(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    @Test(.enabled(if: ExternalTools.rsvgConvert != nil, "rsvg-convert not on PATH (scripts/setup installs librsvg2-bin)"))
    func checkEscapeWritesPNGAndPDFListedInTheRecord() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/check"
        let result = try SpecgdProcess.run(["check-escape", "--no-simulation", "--lambdas", "4", "--dim", "8",
                                            "--format", "svg,png,pdf", "--dpi", "192", "--output-dir", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("figure: \(out)/amplification.svg, \(out)/amplification.png, \(out)/amplification.pdf"), "\(result.stdout)")
        // 192 dpi is twice the SVG's 96 CSS pixels per inch: the PNG is the SVG at zoom 2.
        let (width, height) = try Self.svgSize(out + "/amplification.svg")
        let (pngWidth, pngHeight) = try Self.pngSize(out + "/amplification.png")
        #expect(pngWidth == Int((2 * width).rounded(.up)) && pngHeight == Int((2 * height).rounded(.up)),
                "PNG \(pngWidth)×\(pngHeight) for an SVG of \(width)×\(height) at 192 dpi")
        let pdf = try Data(contentsOf: URL(fileURLWithPath: out + "/amplification.pdf"))
        #expect(pdf.starts(with: Array("%PDF-".utf8)))
        #expect(try Self.record(out + "/escape-check.json")["convertedFigures"] as? [String] == ["amplification.png", "amplification.pdf"])
        // Converted through temporary files renamed into place: none is left behind.
        let hidden = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty, "left behind: \(hidden)")
    }

    @Test func svgOnlyByDefaultAndTheRecordSaysNothing() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try SpecgdProcess.run(["compare", "--dim", "8", "--steps", "40", "--output-dir", dir])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(!files.contains { $0.hasSuffix(".png") || $0.hasSuffix(".pdf") })
        #expect(try Self.record(dir + "/report.json")["convertedFigures"] == nil)
    }

    @Test func missingConverterIsOneLineBeforeAnythingIsComputed() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for arguments in [["compare", "--dim", "8", "--steps", "40", "--format", "pdf", "--output-dir", dir + "/c"],
                          ["figures", "--quick", "--format", "png", "--output-dir", dir + "/f"],
                          ["check-escape", "--no-simulation", "--format", "svg,png", "--output-dir", dir + "/k"],
                          ["plot-phase", dir, "--format", "pdf"]] {
            let result = try SpecgdProcess.run(arguments, environment: ["PATH": dir + "/no-tools-here"])
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && result.stderr.contains("rsvg-convert") && result.stderr.contains("librsvg2-bin"), "\(result.stderr)")
        }
        // Nothing was computed, so no output folder was made.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func dpiWithoutPNGAndUnknownFormatsAreRefused() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dpi = try SpecgdProcess.run(["compare", "--dim", "8", "--steps", "40", "--format", "pdf", "--dpi", "300", "--output-dir", dir + "/c"])
        #expect(dpi.status == 1 && dpi.stderr.contains("--dpi sets the PNG resolution"), "\(dpi.stderr)")
        let zero = try SpecgdProcess.run(["compare", "--dim", "8", "--steps", "40", "--format", "png", "--dpi", "0", "--output-dir", dir + "/c"])
        #expect(zero.status == 1 && zero.stderr.contains("dpi"), "\(zero.stderr)")
        let gif = try SpecgdProcess.run(["figures", "--format", "svg,gif", "--output-dir", dir + "/f"])
        #expect(gif.status == 64 && gif.stderr.contains("'svg', 'png' or 'pdf'"), "\(gif.stderr)")
    }

    @Test(.enabled(if: ExternalTools.rsvgConvert != nil, "rsvg-convert not on PATH (scripts/setup installs librsvg2-bin)"))
    func plotPhaseAndFiguresConvertToo() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sweep = try SpecgdProcess.run(["sweep", "--grid", "lambda=1,4", "--grid", "lr=1e-3,1e-2", "--dim", "20", "--steps", "500",
                                           "--metric", "escape_step", "--output-dir", dir + "/sw"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let plot = try SpecgdProcess.run(["plot-phase", dir + "/sw", "--format", "png,pdf", "--log-color"])
        #expect(plot.status == 0, "\(plot.stderr)")
        let phase = try Self.record(dir + "/sw/phase-escape_step.json")
        #expect(phase["convertedFigures"] as? [String] == ["phase-escape_step.png", "phase-escape_step.pdf"])
        #expect((phase["configuration"] as? [String: Any])?["logColor"] as? Bool == true)
        let (width, _) = try Self.svgSize(dir + "/sw/phase-escape_step.svg")
        #expect(try Self.pngSize(dir + "/sw/phase-escape_step.png").0 == Int((width * 300 / 96).rounded(.up)), "default 300 dpi")

        let figures = try SpecgdProcess.run(["figures", "--quick", "--format", "pdf", "--output-dir", dir + "/fig"])
        #expect(figures.status == 0, "\(figures.stderr)")
        let names = FigureSet.names
        for name in names { #expect(FileManager.default.fileExists(atPath: dir + "/fig/\(name).pdf"), "\(name).pdf") }
        let sidecar = try Self.record(dir + "/fig/loss.json")
        #expect(sidecar["convertedFigures"] as? [String] == names.map { "\($0).pdf" })
    }

    /// The PDF's page box, in points ("/MediaBox [ 0 0 w h ]", written uncompressed by cairo).
    static func mediaBox(_ path: String) throws -> (Double, Double) {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        guard let range = text.range(of: "/MediaBox *\\[[^\\]]*\\]", options: .regularExpression) else { return (.nan, .nan) }
        let values = text[range].components(separatedBy: CharacterSet(charactersIn: " []")).compactMap(Double.init)
        return values.count == 4 ? (values[2] - values[0], values[3] - values[1]) : (.nan, .nan)
    }

    /// `figures --size single|double`: every SVG is 3.5 or 7 in wide in pt, with its layout as
    /// viewBox, and the PDF converted from it has that page size; the PNG is that width at --dpi.
    @Test(.enabled(if: ExternalTools.rsvgConvert != nil, "rsvg-convert not on PATH (scripts/setup installs librsvg2-bin)"),
          arguments: [("single", 252.0, 360.0), ("double", 504.0, 720.0)])
    func paperSizesGiveTheirPageSize(_ size: String, points: Double, units: Double) throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try SpecgdProcess.run(["figures", "--quick", "--size", size, "--format", "png,pdf", "--dpi", "144", "--output-dir", dir])
        #expect(result.status == 0, "\(result.stderr)")
        for name in FigureSet.names {
            let text = try String(contentsOfFile: "\(dir)/\(name).svg", encoding: .utf8)
            let header = try #require(text.split(separator: "\n").dropFirst().first)
            let fields = header.components(separatedBy: "\"")
            // <svg xmlns="…" width="Wpt" height="Hpt" viewBox="0 0 w h" …
            #expect(fields[3] == String(format: "%.2fpt", points), "\(name): \(header)")
            let height = try #require(Double(fields[5].dropLast(2)))
            let viewBox = fields[7].split(separator: " ").compactMap { Double($0) }
            #expect(viewBox.count == 4 && viewBox[2] == units, "\(name): \(header)")
            // The height in pt is the layout's at 0.7 pt per unit, printed to 0.01 pt.
            #expect(abs(height - viewBox[3] * 0.7) <= 0.005 + 1e-9, "\(name)")
            // cairo writes the page box in single precision: ≤ 2⁻²⁴ relative, and a few ulp for its printing.
            let (w, h) = try Self.mediaBox("\(dir)/\(name).pdf")
            #expect(abs(w - points) <= points * 1e-6 && abs(h - height) <= height * 1e-6, "\(name).pdf is \(w) × \(h) pt")
            // 144 dpi: the width in inches × 144, rounded up to whole pixels by rsvg-convert.
            #expect(try Self.pngSize("\(dir)/\(name).png").0 == Int((points / 72 * 144).rounded(.up)), "\(name).png")
        }
    }

    /// compare, check-escape and plot-phase take the same `--size`: their figures get the
    /// size's printed width, and the PDF page follows.
    @Test(.enabled(if: ExternalTools.rsvgConvert != nil, "rsvg-convert not on PATH (scripts/setup installs librsvg2-bin)"))
    func everyFigureCommandTakesThePaperSizes() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runs: [([String], String)] = [
            (["compare", "--dim", "8", "--steps", "60", "--every", "10", "--seeds", "1", "--size", "single", "--format", "pdf",
              "--output-dir", "\(dir)/cmp"], "\(dir)/cmp/overlay"),
            (["check-escape", "--dim", "8", "--lambdas", "1,4", "--seeds", "1", "--size", "double", "--format", "pdf",
              "--output-dir", "\(dir)/chk"], "\(dir)/chk/amplification"),
            (["sweep", "--grid", "lambda=1,4", "--grid", "lr=1e-3,1e-2", "--dim", "20", "--steps", "300", "--output-dir", "\(dir)/sw"], ""),
            (["plot-phase", "\(dir)/sw", "--metric", "escape_step", "--size", "single", "--format", "pdf"], "\(dir)/sw/phase-escape_step"),
        ]
        for (arguments, stem) in runs {
            let result = try SpecgdProcess.run(arguments)
            #expect(result.status <= 1, "\(arguments.joined(separator: " ")): \(result.stderr)")  // check-escape exits 1 on a FAIL
            guard !stem.isEmpty else { continue }
            let points = arguments.contains("single") ? 3.5 * 72 : 7.0 * 72
            let header = try #require(try String(contentsOfFile: stem + ".svg", encoding: .utf8).split(separator: "\n").dropFirst().first)
            #expect(header.components(separatedBy: "\"")[3] == String(format: "%.2fpt", points), "\(stem): \(header)")
            let (w, _) = try Self.mediaBox(stem + ".pdf")
            #expect(abs(w - points) <= points * 1e-6, "\(stem).pdf is \(w) pt wide")
        }
        // Without --size the screen figures are as before: no unit on the width.
        let plain = try SpecgdProcess.run(["plot-phase", "\(dir)/sw", "--metric", "escape_step", "--output-dir", "\(dir)/plain"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let header = try String(contentsOfFile: "\(dir)/plain/phase-escape_step.svg", encoding: .utf8).split(separator: "\n").dropFirst().first ?? ""
        #expect(!header.contains("pt\""), "\(header)")
    }

}
