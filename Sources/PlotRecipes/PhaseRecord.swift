import Foundation
import SpecgdSupport

// The record `specgd plot-phase` writes next to each figure (STEM.json's configuration and
// summary): one typed schema that the command encodes and `report` / `export-notebook` decode
// (`RunRecord<PhaseRecord, PhaseSummary>`).

/// What a phase figure shows: the sweep, metric, axes and fixed values, and the drawing.
package struct PhaseRecord: Codable, Sendable, Equatable {
    package var sweep: String
    package var metric: String
    package var x: String
    package var y: String
    package var slice: [String: Double]
    /// The fixed name axes (absent when the sweep has none).
    package var named: [String: String]?
    /// The second sweep of a comparison (absent for one diagram).
    package var comparedWith: String?
    /// The name axis whose two values are compared (absent otherwise).
    package var split: String?
    /// The statistic over seeds drawn (absent for one run per cell).
    package var statistic: String?
    /// Coloured by log10 of the metric (`--log-color`): the exported notebook draws it so too.
    package var logColor: Bool
    /// What the SVG draws, for `export-notebook`'s matplotlib redraw.
    package var figure: PhaseFigureRecord

    package init(sweep: String, metric: String, x: String, y: String, slice: [String: Double], named: [String: String]?,
                comparedWith: String?, split: String?, statistic: String?, logColor: Bool, figure: PhaseFigureRecord) {
        self.sweep = sweep
        self.metric = metric
        self.x = x
        self.y = y
        self.slice = slice
        self.named = named
        self.comparedWith = comparedWith
        self.split = split
        self.statistic = statistic
        self.logColor = logColor
        self.figure = figure
    }
}

/// The summary of a phase figure: the range of its values and its masked cells.
package struct PhaseSummary: Codable, Sendable, Equatable {
    package var boundaryPoints: Int
    package var minimum: Double
    package var maximum: Double
    /// Cells without a value, by reason.
    package var noEscapeCells: Int
    package var divergedCells: Int

    package init(boundaryPoints: Int, minimum: Double, maximum: Double, noEscapeCells: Int, divergedCells: Int) {
        self.boundaryPoints = boundaryPoints
        self.minimum = minimum
        self.maximum = maximum
        self.noEscapeCells = noEscapeCells
        self.divergedCells = divergedCells
    }
}

/// A phase figure as drawn, panel by panel: the words, scales and colour range of each heatmap,
/// the CSV column it colours, the label of each masked status and GD's boundary curve, so that
/// the exported notebook redraws the same figure from the CSV.
package struct PhaseFigureRecord: Codable, Sendable, Equatable {
    package struct Panel: Codable, Sendable, Equatable {
        package var title: String
        package var xLabel: String
        package var yLabel: String
        package var xLog: Bool
        package var yLog: Bool
        /// The phase CSV's column this panel colours.
        package var column: String
        package var colorLabel: String
        package var logColor: Bool
        package var colormap: String
        /// [low, high] of the colour scale (shared by the two panels of a comparison).
        package var valueRange: [Double]?
        /// GD's boundary λ_c as (x, y) points, with its legend label (absent when not drawn).
        package var boundary: [[Double]]?
        package var boundaryLabel: String?

        package init(title: String, xLabel: String, yLabel: String, xLog: Bool, yLog: Bool, column: String, colorLabel: String,
                    logColor: Bool, colormap: String, valueRange: [Double]?, boundary: [[Double]]?, boundaryLabel: String?) {
            self.title = title
            self.xLabel = xLabel
            self.yLabel = yLabel
            self.xLog = xLog
            self.yLog = yLog
            self.column = column
            self.colorLabel = colorLabel
            self.logColor = logColor
            self.colormap = colormap
            self.valueRange = valueRange
            self.boundary = boundary
            self.boundaryLabel = boundaryLabel
        }
    }
    package var title: String
    package var panels: [Panel]
    /// Legend label of each masked cell status (`no_escape`, `diverged`) present.
    package var masks: [String: String]

    package init(title: String, panels: [Panel], masks: [String: String]) {
        self.title = title
        self.panels = panels
        self.masks = masks
    }
}
