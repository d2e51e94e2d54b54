import Foundation

/// An axis resolved for drawing: final limits, ticks, and the data → pixel map.
public struct AxisScale: Sendable {
    public let kind: ScaleKind
    let limits: ClosedRange<Double>
    /// Pixel of the lower limit and of the upper limit (for y the lower limit is at the bottom,
    /// so `start > end`).
    public let start: Double
    let end: Double
    let ticks: [Tick]

    init(kind: ScaleKind, limits: ClosedRange<Double>, start: Double, end: Double, ticks: [Tick]? = nil) {
        self.kind = kind
        self.limits = limits
        self.start = start
        self.end = end
        self.ticks = ticks ?? (kind == .log ? Ticks.log(limits) : Ticks.linear(limits))
    }

    /// Whether a value can be placed on this axis at all (finite; positive on a log axis).
    func canPlace(_ value: Double) -> Bool {
        value.isFinite && (kind == .linear || value > 0)
    }

    /// The pixel coordinate of `value`, or nil when it cannot be placed. Values outside the
    /// limits map outside the pixel range (the plot area clips them).
    func pixel(_ value: Double) -> Double? {
        guard canPlace(value) else { return nil }
        let (lo, hi, v) = kind == .log
            ? (log10(limits.lowerBound), log10(limits.upperBound), log10(value))
            : (limits.lowerBound, limits.upperBound, value)
        return start + (v - lo) / (hi - lo) * (end - start)
    }

    /// Resolves the limits of an axis from its configuration and the data values on it.
    /// `tight`: use the data range as is (heatmaps), otherwise widen to nice tick values.
    static func limits(for axis: Axis, data: [Double], tight: Bool) -> ClosedRange<Double> {
        if let fixed = axis.limits, fixed.upperBound > fixed.lowerBound,
           axis.scale == .linear || fixed.lowerBound > 0 {
            return fixed
        }
        let usable = data.filter { $0.isFinite && (axis.scale == .linear || $0 > 0) }
        guard let lo = usable.min(), let hi = usable.max() else {
            return axis.scale == .log ? 1...10 : 0...1
        }
        switch axis.scale {
        case .linear:
            if tight, hi > lo { return lo...hi }
            return Ticks.niceLinearLimits(lo, hi)
        case .log:
            if tight, hi > lo { return lo...hi }
            // Decades are labelled whatever the limits, so pad the data range by 4 % of its
            // log-span instead of widening to whole decades (which can waste half the panel).
            guard hi > lo else { return Ticks.niceLogLimits(lo, hi) }
            let span = max(log10(hi) - log10(lo), 0.3)
            return pow(10, log10(lo) - 0.04 * span)...pow(10, log10(hi) + 0.04 * span)
        }
    }
}

/// Cell edges for heatmap centres: midpoints between neighbours (geometric on a log axis),
/// the outer edges half a spacing beyond the first and last centre.
enum CellEdges {
    static func edges(_ centres: [Double], scale: ScaleKind) -> [Double] {
        let forward: (Double) -> Double = scale == .log ? { log10($0) } : { $0 }
        let back: (Double) -> Double = scale == .log ? { pow(10, $0) } : { $0 }
        let t = centres.map(forward)
        guard !t.isEmpty else { return [] }
        if t.count == 1 { return [back(t[0] - 0.5), back(t[0] + 0.5)] }
        var e = [t[0] - (t[1] - t[0]) / 2]
        for i in 0..<(t.count - 1) { e.append((t[i] + t[i + 1]) / 2) }
        e.append(t[t.count - 1] + (t[t.count - 1] - t[t.count - 2]) / 2)
        return e.map(back)
    }
}
