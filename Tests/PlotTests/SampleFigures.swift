import Foundation
@testable import Plot

/// Figures exercising every element, shared by the XML, rendering and gallery tests.
enum SampleFigures {
    static func trajectories() -> Figure {
        let steps = (0...400).map { Double($0) * 25 }
        let a = steps.map { 1e-3 * exp(0.003 * $0) / (1 + 1e-6 * (exp(0.006 * $0) - 1)).squareRoot() }
        let b = steps.map { min(1e-3 * exp(0.0075 * $0), 0.2) }
        let noisy = steps.enumerated().map { i, v in i % 40 == 0 ? (i == 80 ? Double.nan : a[i] * 1.05) : Double.nan }
        var left = Axes(title: "(a) coefficients", x: Axis(label: "step k"), y: Axis(label: "coefficient", scale: .log))
        left.add(LineSeries(x: steps, y: a, label: "a (signal)"))
        left.add(LineSeries(x: steps, y: b, label: "b (spike)", style: .dashed))
        left.add(MarkerSeries(x: steps, y: noisy, label: "a, simulation", color: Palette.color(0), filled: false))
        left.add(Band(x: steps, lower: a.map { $0 * 0.8 }, upper: a.map { $0 * 1.25 }, label: "a, simulation", color: Palette.color(0)))
        left.add(ReferenceLine.horizontal(0.5, label: "a_esc = 0.5"))
        var right = Axes(title: "(b) alignment", x: Axis(label: "step k"), y: Axis(label: "a²/(a²+b²)"))
        right.add(LineSeries(x: steps, y: zip(a, b).map { $0 * $0 / ($0 * $0 + $1 * $1) }, label: "GD"))
        right.add(LineSeries(x: steps, y: steps.map { _ in 0.5 }, label: "SpecGD (constant)", color: .vermillion))
        right.add(ReferenceLine.vertical(7000, label: "escape", color: .black, style: .dotted))
        right.add(Annotation("λ = 8", at: .fraction(x: 0.04, y: 0.06)))
        return Figure(panels: [left, right], columns: 2, title: "GD vs SpecGD at λ = 8")
    }

    static func heatmap() -> Figure {
        let lambdas = (0..<24).map { 0.25 * pow(2, Double($0) / 4) }
        let rates = (0..<16).map { 1e-4 * pow(10, Double($0) / 5) }
        let values = rates.map { lr in lambdas.map { lambda in max(1e-3, lambda / (2 + 50 * lr)) } }
        var axes = Axes(title: "amplification", x: Axis(label: "λ", scale: .log), y: Axis(label: "learning rate η̃", scale: .log))
        axes.heatmap = Heatmap(x: lambdas, y: rates, values: values, colorScale: .log, label: "b/a amplification")
        axes.add(LineSeries(x: rates.map { 2 + 50 * $0 }, y: rates, label: "λ_c", color: .white, width: 2, style: .dashed))
        axes.legend = .topLeft
        return Figure(axes)
    }

    static func degenerate() -> Figure {
        var empty = Axes(title: "empty")
        empty.add(LineSeries(x: [], y: []))
        var constant = Axes(title: "constant", y: Axis(scale: .log))
        constant.add(LineSeries(x: [1, 2, 3], y: [5, 5, 5], label: "flat"))
        var bad = Axes(title: "non-finite")
        bad.add(LineSeries(x: [0, 1, 2, 3, 4], y: [1, .nan, 2, .infinity, 3]))
        bad.add(MarkerSeries(x: [.nan, 1], y: [1, -.infinity]))
        return Figure(panels: [empty, constant, bad], columns: 3)
    }
}
