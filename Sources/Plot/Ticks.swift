import Foundation

/// How an axis maps data to position.
public enum ScaleKind: String, Sendable, Codable, CaseIterable {
    case linear
    /// Base-10 logarithmic; non-positive values cannot be placed and are skipped.
    case log
}

/// One tick mark: major ticks carry a label, minor ticks are unlabelled.
public struct Tick: Sendable, Equatable {
    public var value: Double
    public var label: String
    public var isMajor: Bool

    public init(value: Double, label: String, isMajor: Bool = true) {
        self.value = value
        self.label = label
        self.isMajor = isMajor
    }
}

/// Tick generation: 1-2-5 steps on linear axes, decades (with 2…9 minor ticks) on log axes.
/// Values are built from exact decimal literals so a tick at 0.3 is the Double 0.3, not
/// 3 × 0.1 = 0.30000000000000004.
package enum Ticks {
    /// The 1-2-5 step (m × 10^e, m ∈ {1, 2, 5}) closest to `span / target` (so 3…8 intervals).
    package static func niceStep(span: Double, target: Int = 5) -> (mantissa: Int, exponent: Int) {
        let raw = max(span, .leastNormalMagnitude) / Double(max(target, 1))
        var exponent = Int(floor(log10(raw)))
        let fraction = raw / power10(exponent)
        let mantissa: Int
        // Round to the nearest of 1, 2, 5, 10 (Heckbert's "nice numbers").
        if fraction < 1.5 { mantissa = 1 }
        else if fraction < 3 { mantissa = 2 }
        else if fraction < 7 { mantissa = 5 }
        else { mantissa = 1; exponent += 1 }
        return (mantissa, exponent)
    }

    /// Axis limits widened outward to the nearest multiples of the nice step, so the frame
    /// starts and ends on a labelled tick. Degenerate ranges are widened first.
    package static func niceLinearLimits(_ low: Double, _ high: Double, target: Int = 5) -> ClosedRange<Double> {
        let (lo, hi) = widenedIfDegenerate(low, high)
        let (m, e) = niceStep(span: hi - lo, target: target)
        let step = Double(m) * power10(e)
        let first = (lo / step + 1e-9).rounded(.down)
        let last = (hi / step - 1e-9).rounded(.up)
        return value(Int(first) * m, e)...value(Int(last) * m, e)
    }

    /// Major ticks inside `limits` on a 1-2-5 step with about `target` intervals.
    package static func linear(_ limits: ClosedRange<Double>, target: Int = 5) -> [Tick] {
        let lo = limits.lowerBound, hi = limits.upperBound
        guard hi > lo, lo.isFinite, hi.isFinite else { return [] }
        let (m, e) = niceStep(span: hi - lo, target: target)
        let step = Double(m) * power10(e)
        let first = Int((lo / step - 1e-9).rounded(.up))
        let last = Int((hi / step + 1e-9).rounded(.down))
        guard last >= first else { return [] }
        let values = (first...last).map { value($0 * m, e) }
        let scientific = values.map(abs).max()! >= 1e5 || e <= -4
        return values.map { Tick(value: $0, label: scientific ? scientificLabel($0) : decimalLabel($0, decimals: max(0, -e))) }
    }

    /// Limits for a log axis: the enclosing decades (at least one decade wide).
    package static func niceLogLimits(_ low: Double, _ high: Double) -> ClosedRange<Double> {
        guard low > 0, high > 0, low.isFinite, high.isFinite else { return 1...10 }
        var eLo = Int(floor(log10(low) + 1e-9))
        var eHi = Int(ceil(log10(high) - 1e-9))
        // Only an exact power of ten (low == high == 10^k) gives one point: show a decade each side.
        if eHi <= eLo { eLo -= 1; eHi = eLo + 2 }
        return power10(eLo)...power10(eHi)
    }

    /// Ticks for a log axis: labelled decades (every k-th decade when there are more than
    /// `maxLabels`), minor ticks at 2…9 × 10^e when every decade is labelled, else at the
    /// skipped decades. A range spanning fewer than two whole decades labels 1, 2 and 5 × 10^e
    /// instead, so there are always values to read off — at least two: failing that, the
    /// linear ticks of the range.
    /// `labelledMantissas`: which of 1, 2, 5 × 10^e carry labels on a narrow range ([1]: decades only).
    package static func log(_ limits: ClosedRange<Double>, maxLabels: Int = 7, labelledMantissas: [Int] = [1, 2, 5]) -> [Tick] {
        let lo = limits.lowerBound, hi = limits.upperBound
        guard lo > 0, hi > lo, hi.isFinite else { return [] }
        let eLo = Int(ceil(log10(lo) - 1e-9)), eHi = Int(floor(log10(hi) + 1e-9))
        let inside = { (v: Double) in v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12) }
        var ticks = [Tick]()
        if eHi - eLo < 2 {
            let labelled = (eLo - 1...eHi).flatMap { e in labelledMantissas.map { value($0, e) } }.filter(inside)
            // One form along the axis here too: "50000" next to "10⁵" would mix, so once one label
            // needs a power (below 0.001 or from 10⁵ on) every label is written with one.
            let powers = labelled.contains { $0 < 1e-3 || $0 >= 1e5 }
            for e in (eLo - 1)...eHi {
                for m in 1...9 {
                    let v = value(m, e)
                    guard inside(v) else { continue }
                    let isLabelled = labelledMantissas.contains(m)
                    ticks.append(Tick(value: v, label: isLabelled ? (powers ? scientificLabel(v) : decimalOrScientific(v)) : "", isMajor: isLabelled))
                }
            }
            // An axis is read off two labels at least: a range holding fewer of the chosen
            // multiples (0.3…0.7 holds only 0.5) gets the linear 1-2-5 ticks of the same
            // range at their log positions instead, as a colour bar does.
            if labelled.count < 2 { return linearOnLog(limits) }
            return ticks
        }
        let stride = max(1, Int((Double(eHi - eLo) / Double(max(maxLabels - 1, 1))).rounded(.up)))
        // One form along the axis: "1, 10, 100" would read oddly next to "10³", so once any
        // labelled decade needs a power, every one is written as a power (10⁰, 10¹, 10², 10³).
        let labelledExponents = (eLo...eHi).filter { $0 % stride == 0 }
        let uniform = labelledExponents.contains { $0 != 0 && $0 != 1 }
        for e in (eLo - 1)...eHi {
            if e >= eLo {
                let labelled = e % stride == 0
                let label = uniform ? "10" + superscript(e) : powerLabel(e)
                ticks.append(Tick(value: power10(e), label: labelled ? label : "", isMajor: labelled))
            }
            if stride == 1 {
                for m in 2...9 where inside(value(m, e)) {
                    ticks.append(Tick(value: value(m, e), label: "", isMajor: false))
                }
            }
        }
        return ticks.sorted { $0.value < $1.value }
    }

    /// Three-ish linear ticks for a log axis too narrow for 1-2-5 labels, written as plain
    /// decimals to the step's precision (0.001, 0.0015) between 0.001 and 10⁵ — shorter than
    /// "1.5×10⁻³", so they fit the tick-label margin — and scientific otherwise.
    static func linearOnLog(_ limits: ClosedRange<Double>) -> [Tick] {
        let (_, e) = niceStep(span: limits.upperBound - limits.lowerBound, target: 3)
        let ticks = linear(limits, target: 3)
        let plain = ticks.allSatisfy { abs($0.value) >= 1e-3 && abs($0.value) < 1e5 }
        return ticks.map { Tick(value: $0.value, label: plain ? decimalLabel($0.value, decimals: max(0, -e)) : scientificLabel($0.value)) }
    }

    /// Ticks for a colour bar: as `linear` / `log`, but never fewer than three labelled ones,
    /// since a bar is read off its labels alone. A log range narrower than about a factor 2.5
    /// (4.27…4.78, say) holds no 1-, 2- or 5-multiple of a decade, so `log` labels nothing;
    /// there the bar is labelled with the linear 1-2-5 ticks of the same range (at their log
    /// positions), which always give ≥ 3 inside a non-degenerate range (`niceStep` ≤ span/3).
    package static func colorbar(_ limits: ClosedRange<Double>, scale: ScaleKind) -> [Tick] {
        guard scale == .log else { return linear(limits) }
        let ticks = log(limits)
        if ticks.filter({ $0.isMajor && !$0.label.isEmpty }).count >= minimumColorbarLabels { return ticks }
        return linear(limits)
    }

    /// What `colorbar` guarantees.
    package static let minimumColorbarLabels = 3

    /// Plain decimals for 0.001 … 99999, scientific beyond.
    static func decimalOrScientific(_ v: Double) -> String {
        let magnitude = abs(v)
        guard magnitude >= 1e-3, magnitude < 1e5 else { return scientificLabel(v) }
        var text = String(format: "%.3f", v)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// "10⁻³"; 10⁰ and 10¹ print as "1" and "10" as a paper would.
    package static func powerLabel(_ exponent: Int) -> String {
        if exponent == 0 { return "1" }
        if exponent == 1 { return "10" }
        return "10" + superscript(exponent)
    }

    package static func superscript(_ n: Int) -> String {
        let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        let body = String(abs(n)).map { digits[Int(String($0))!] }
        return (n < 0 ? "⁻" : "") + String(body)
    }

    /// Fixed decimals, a true minus sign, and no "−0".
    package static func decimalLabel(_ v: Double, decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", abs(v))
        let isZero = text.allSatisfy { $0 == "0" || $0 == "." }
        return (v < 0 && !isZero ? "−" : "") + text
    }

    /// "2×10⁻⁴", "1.5×10⁵", "0".
    package static func scientificLabel(_ v: Double) -> String {
        guard v != 0 else { return "0" }
        let e = Int(floor(log10(abs(v)) + 1e-9))
        var mantissa = String(format: "%.2f", abs(v) / power10(e))
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
        let sign = v < 0 ? "−" : ""
        return mantissa == "1" ? sign + powerLabel(e) : sign + mantissa + "×" + powerLabel(e)
    }

    /// m × 10^e, correctly rounded (exact integer divided or multiplied by an exact power of ten).
    static func value(_ m: Int, _ e: Int) -> Double {
        e >= 0 ? Double(m) * power10(e) : Double(m) / power10(-e)
    }

    /// 10^e parsed from its decimal literal, so it is the Double nearest to 10^e.
    static func power10(_ e: Int) -> Double {
        Double("1e\(e)")!
    }

    static func widenedIfDegenerate(_ low: Double, _ high: Double) -> (Double, Double) {
        guard low.isFinite, high.isFinite, high >= low else { return (0, 1) }
        if high > low { return (low, high) }
        let pad = low == 0 ? 1 : abs(low) * 0.1
        return (low - pad, high + pad)
    }
}
