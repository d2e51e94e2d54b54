import Foundation
import Plot
import SpecgdSupport

/// A figure described by the CSV columns it draws. One recipe gives both the SVG (through
/// the Plot module) and the matplotlib code of the exported notebook, so the two can never
/// disagree about what a figure shows. Recipes are written next to their SVG as
/// `NAME.recipe.json`.
public struct FigureRecipe: Codable, Sendable, Equatable {
    /// File stem: the figure is `NAME.svg`, the recipe `NAME.recipe.json`.
    public var name: String
    public var title: String
    /// One or two sentences for the notebook: what the figure shows and how to read it.
    public var description: String
    /// Panels a row (at most; a paper size may wrap them, see `FigureSize.maxColumns`).
    public var columns: Int
    /// The figure's size (nil: `.screen`). Every recipe's figure is as wide as its size, so the
    /// figures of one set share their width whatever their panel counts.
    public var size: FigureSize?
    /// One legend under the title for the whole figure (from the panels' labelled series).
    public var sharedLegend: Bool?
    /// The shared legend as a factored key in groups (nil: one entry per label of the panels):
    /// e.g. one group of method colours and one of what lines, markers and bands mean.
    /// The notebook keeps matplotlib's legend of the series' labels.
    public var legendGroups: [[LegendItemRecipe]]?
    /// false (`figures --no-title`): the SVG has no title; `title` stays here for the report
    /// and the caption. nil: drawn, as every recipe before the option.
    public var drawsTitle: Bool?
    public var panels: [PanelRecipe]

    public init(name: String, title: String, description: String, columns: Int = 2, size: FigureSize? = nil,
                sharedLegend: Bool? = nil, panels: [PanelRecipe]) {
        self.sharedLegend = sharedLegend
        self.size = size
        self.name = name
        self.title = title
        self.description = description
        self.columns = columns
        self.panels = panels
    }

    /// Every CSV file the figure reads, in first-use order.
    public var csvFiles: [String] {
        var seen = [String]()
        for panel in panels { for s in panel.series where !seen.contains(s.csv) { seen.append(s.csv) } }
        return seen
    }

    /// The figure, reading its CSVs from `directory`.
    public func figure(directory: String) throws -> Figure {
        var tables = [String: Table]()
        for file in csvFiles { tables[file] = try Table.readCSV((directory as NSString).appendingPathComponent(file)) }
        return try figure(tables: tables)
    }

    /// The figure from tables already in memory, keyed by CSV file name.
    public func figure(tables: [String: Table]) throws -> Figure {
        let axes = try panels.map { try $0.axes(tables: tables) }
        var figure = Figure(panels: axes, columns: min(columns, max(panels.count, 1)), title: drawsTitle == false ? "" : title)
        figure.apply(size ?? .screen)
        figure.sharedLegend = sharedLegend ?? false
        figure.legendGroups = legendGroups?.map { $0.map(\.item) }
        return figure
    }

    /// Renders the SVG and writes it with this recipe into `directory`.
    public func write(directory: String, tables: [String: Table]) throws {
        try figure(tables: tables).write(to: (directory as NSString).appendingPathComponent("\(name).svg"))
        try AtomicFile.write(try JSONOutput.encode(self), to: (directory as NSString).appendingPathComponent("\(name).recipe.json"))
    }

    public static func read(_ path: String) throws -> FigureRecipe {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError("cannot read \(path)") }
        do { return try JSONOutput.decoder().decode(FigureRecipe.self, from: data) } catch {
            throw InputError("\(path) is not a figure recipe: \(error.localizedDescription)")
        }
    }
}

public struct PanelRecipe: Codable, Sendable, Equatable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: ScaleKind
    public var yScale: ScaleKind
    public var series: [SeriesRecipe]
    public var references: [ReferenceRecipe]
    /// Show a legend (usually only on the first panel of a figure, to keep the others clear).
    public var legend: Bool
    /// Draw the legend outside the frame, right of the plot area (for crowded panels).
    public var legendOutside: Bool?
    /// Fixed y limits [lower, upper] (nil: from the data).
    public var yLimits: [Double]?
    /// Fixed x limits [lower, upper] (nil: from the data, widened to nice ticks): a trajectory's
    /// axis ends at its last step.
    public var xLimits: [Double]?

    public init(title: String, xLabel: String, yLabel: String, xScale: ScaleKind = .linear, yScale: ScaleKind = .linear,
                series: [SeriesRecipe], references: [ReferenceRecipe] = [], legend: Bool = true, legendOutside: Bool? = nil) {
        self.legendOutside = legendOutside
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.series = series
        self.references = references
        self.legend = legend
    }

    func axes(tables: [String: Table]) throws -> Axes {
        func range(_ limits: [Double]?) -> ClosedRange<Double>? { limits.flatMap { $0.count == 2 && $0[1] > $0[0] ? $0[0]...$0[1] : nil } }
        var axes = Axes(title: title, x: Axis(label: xLabel, scale: xScale, limits: range(xLimits)),
                        y: Axis(label: yLabel, scale: yScale, limits: range(yLimits)),
                        legend: legend ? (legendOutside == true ? .outsideRight : .best) : .none)
        for s in series {
            guard let table = tables[s.csv] else { throw InputError("figure data \(s.csv) was not loaded") }
            func column(_ name: String) throws -> [Double] {
                guard let values = table.column(name) else { throw InputError("\(s.csv) has no column '\(name)' (needed by a figure)") }
                return values
            }
            let x = try column(s.x), y = try column(s.y)
            let color = Color(hexString: s.color)
            let label = legend ? s.label : nil
            switch s.kind {
            case .line:
                axes.add(LineSeries(x: x, y: y, label: label, color: color, width: s.width ?? 1.8, style: s.style))
            case .markers:
                let stride = s.stride(count: x.count)
                let keep = Swift.stride(from: 0, to: x.count, by: stride)
                axes.add(MarkerSeries(x: keep.map { x[$0] }, y: keep.map { y[$0] }, label: label, color: color,
                                      shape: s.shape, size: s.size ?? SeriesRecipe.defaultMarkerSize, filled: s.filled))
            case .band:
                guard let upperName = s.upper else { throw InputError("a band series needs an upper column") }
                axes.add(Band(x: x, lower: y, upper: try column(upperName), label: label, color: color))
            }
        }
        for r in references {
            var line = ReferenceLine(r.vertical ? .vertical : .horizontal, at: r.value, label: r.label,
                                     color: Color(hexString: r.color) ?? .gray, style: r.style)
            line.inLegend = false
            axes.add(line)
        }
        return axes
    }
}

public struct SeriesRecipe: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case line, markers, band }
    public var kind: Kind
    public var csv: String
    public var x: String
    /// The y column (the lower bound for a band).
    public var y: String
    /// The upper bound column of a band.
    public var upper: String?
    public var label: String?
    /// `#rrggbb`.
    public var color: String
    public var style: LineStyle
    public var width: Double?
    public var shape: MarkerShape
    public var filled: Bool
    /// Markers are thinned to at most this many (evenly by row), so a dense trajectory stays readable.
    public var maxMarkers: Int?
    /// Marker radius in pixels (nil: `defaultMarkerSize`). Series drawn later lie on top, so a
    /// small filled marker after a large hollow one stays visible inside it.
    public var size: Double?

    public static let defaultMarkerSize = 3.2

    public static func line(_ csv: String, x: String, y: String, label: String?, color: Color, style: LineStyle = .solid, width: Double? = nil) -> SeriesRecipe {
        SeriesRecipe(kind: .line, csv: csv, x: x, y: y, upper: nil, label: label, color: color.hex, style: style,
                     width: width, shape: .circle, filled: true, maxMarkers: nil)
    }

    public static func markers(_ csv: String, x: String, y: String, label: String?, color: Color,
                               shape: MarkerShape = .circle, filled: Bool = false, maxMarkers: Int? = nil,
                               size: Double? = nil) -> SeriesRecipe {
        SeriesRecipe(kind: .markers, csv: csv, x: x, y: y, upper: nil, label: label, color: color.hex, style: .solid,
                     width: nil, shape: shape, filled: filled, maxMarkers: maxMarkers, size: size)
    }

    public static func band(_ csv: String, x: String, lower: String, upper: String, label: String?, color: Color) -> SeriesRecipe {
        SeriesRecipe(kind: .band, csv: csv, x: x, y: lower, upper: upper, label: label, color: color.hex, style: .solid,
                     width: nil, shape: .circle, filled: true, maxMarkers: nil)
    }

    /// Row stride that keeps at most `maxMarkers` markers.
    func stride(count: Int) -> Int {
        guard let maxMarkers, maxMarkers > 0, count > maxMarkers else { return 1 }
        return (count + maxMarkers - 1) / maxMarkers
    }
}

public struct ReferenceRecipe: Codable, Sendable, Equatable {
    public var vertical: Bool
    public var value: Double
    public var label: String?
    public var color: String
    public var style: LineStyle

    public init(vertical: Bool, value: Double, label: String?, color: Color = .gray, style: LineStyle = .dashed) {
        self.vertical = vertical
        self.value = value
        self.label = label
        self.color = color.hex
        self.style = style
    }
}

/// An item of `FigureRecipe.legendGroups` (`Plot.LegendItem` with `#rrggbb` colours): a label
/// and any of a line, a marker and a band as its sample; none makes it a heading.
public struct LegendItemRecipe: Codable, Sendable, Equatable {
    public var label: String
    public var line: String?
    public var style: LineStyle?
    public var marker: MarkerShape?
    public var markerColor: String?
    public var band: String?

    public init(label: String, line: Color? = nil, style: LineStyle? = nil, marker: MarkerShape? = nil,
                markerColor: Color? = nil, band: Color? = nil) {
        self.label = label
        self.line = line?.hex
        self.style = style
        self.marker = marker
        self.markerColor = markerColor?.hex
        self.band = band?.hex
    }

    var item: LegendItem {
        LegendItem(label: label, lineColor: line.flatMap(Color.init(hexString:)), lineStyle: style ?? .solid,
                   marker: marker, markerColor: markerColor.flatMap(Color.init(hexString:)) ?? .gray,
                   bandColor: band.flatMap(Color.init(hexString:)))
    }
}

extension Color {
    /// Parses `#rrggbb`; nil for anything else.
    init?(hexString: String) {
        guard hexString.hasPrefix("#"), hexString.count == 7, let value = UInt32(hexString.dropFirst(), radix: 16) else { return nil }
        self.init(hex: value)
    }
}
