import Foundation

/// A minimal SVG text builder. Coordinates are printed with two decimals so the same figure
/// gives the same bytes on every run.
struct SVGWriter {
    private(set) var body = ""

    static func number(_ v: Double) -> String {
        let text = String(format: "%.2f", v)
        return text == "-0.00" ? "0.00" : text
    }

    static func escape(_ text: String) -> String { MarkupText.escape(text) }

    mutating func raw(_ text: String) { body += text + "\n" }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                       stroke: String? = nil, extra: String = "") {
        var s = "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"\(fill)\""
        if let stroke { s += " stroke=\"\(stroke)\"" }
        if !extra.isEmpty { s += " " + extra }
        raw(s + "/>")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                       width: Double = 1, dash: String? = nil) {
        var s = "<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\""
        if let dash { s += " stroke-dasharray=\"\(dash)\"" }
        raw(s + "/>")
    }

    /// A polyline path through `points`.
    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double, dash: String?) {
        guard points.count >= 2 else { return }
        var d = "M\(Self.number(points[0].0)),\(Self.number(points[0].1))"
        for p in points.dropFirst() { d += "L\(Self.number(p.0)),\(Self.number(p.1))" }
        var s = "<path d=\"\(d)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\" stroke-linejoin=\"round\" stroke-linecap=\"round\""
        if let dash { s += " stroke-dasharray=\"\(dash)\"" }
        raw(s + "/>")
    }

    /// A closed filled polygon.
    mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double) {
        guard points.count >= 3 else { return }
        var d = "M\(Self.number(points[0].0)),\(Self.number(points[0].1))"
        for p in points.dropFirst() { d += "L\(Self.number(p.0)),\(Self.number(p.1))" }
        raw("<path d=\"\(d)Z\" fill=\"\(fill)\" fill-opacity=\"\(Self.number(opacity))\" stroke=\"none\"/>")
    }

    mutating func text(_ content: String, x: Double, y: Double, size: Double, anchor: String = "start",
                       fill: String = "#000000", rotate: Double? = nil, weight: String? = nil,
                       baseline: String? = nil) {
        var s = "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
        if let weight { s += " font-weight=\"\(weight)\"" }
        if let baseline { s += " dominant-baseline=\"\(baseline)\"" }
        if let rotate { s += " transform=\"rotate(\(Self.number(rotate)) \(Self.number(x)) \(Self.number(y)))\"" }
        raw(s + ">\(Self.markup(content))</text>")
    }

    /// Text with sub- and superscripts (`MarkupText.runs`): each shifted run a smaller `tspan`.
    /// Everything else is escaped.
    static func markup(_ text: String) -> String {
        MarkupText.runs(text).map { run in
            switch run.shift {
            case .none: escape(run.text)
            case .sub: tspan(run.text, shift: "sub")
            case .super: tspan(run.text, shift: "super")
            }
        }.joined()
    }

    private static func tspan(_ text: String, shift: String) -> String {
        "<tspan baseline-shift=\"\(shift)\" font-size=\"75%\">\(escape(text))</tspan>"
    }

    mutating func marker(_ shape: MarkerShape, x: Double, y: Double, size r: Double, color: String, filled: Bool) {
        let fill = filled ? color : "#ffffff"
        let style = "fill=\"\(fill)\" stroke=\"\(color)\" stroke-width=\"1.1\""
        let n = Self.number
        switch shape {
        case .circle:
            raw("<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" \(style)/>")
        case .square:
            let h = r * 0.9
            raw("<rect x=\"\(n(x - h))\" y=\"\(n(y - h))\" width=\"\(n(2 * h))\" height=\"\(n(2 * h))\" \(style)/>")
        case .triangle:
            let h = r * 1.2
            raw("<path d=\"M\(n(x)),\(n(y - h))L\(n(x + h * 0.866)),\(n(y + h * 0.5))L\(n(x - h * 0.866)),\(n(y + h * 0.5))Z\" \(style)/>")
        case .diamond:
            let h = r * 1.25
            raw("<path d=\"M\(n(x)),\(n(y - h))L\(n(x + h)),\(n(y))L\(n(x)),\(n(y + h))L\(n(x - h)),\(n(y))Z\" \(style)/>")
        case .cross:
            let h = r
            raw("<path d=\"M\(n(x - h)),\(n(y - h))L\(n(x + h)),\(n(y + h))M\(n(x - h)),\(n(y + h))L\(n(x + h)),\(n(y - h))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/>")
        }
    }
}

/// Text for XML and HTML documents (the SVG figures here, the HTML report in PlotRecipes).
package enum MarkupText {
    /// How a run of text sits on the line.
    package enum Shift: Sendable, Equatable { case none, sub, `super` }

    /// The one reading of the figures' plain-text math, for titles, axis labels, legends and
    /// captions alike: `_x` / `^x` (one letter or digit, then a character that is neither, or the
    /// end) and `_{…}` / `^{…}` are a sub- or superscript, so text can say λ_c, ‖W‖²_F or ρ^k;
    /// `^(…)` after a letter or digit too, without its parentheses, as a plain-text exponent
    /// reads (σ_i ∝ i^(−1) is i⁻¹). An underscore inside a word (`spike_alignment`) stays as it is.
    package static func runs(_ text: String) -> [(text: String, shift: Shift)] {
        let chars = Array(text)
        var out = [(text: String, shift: Shift)](), plain = "", i = 0
        func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber }
        func shifted(_ body: String, _ shift: Shift) {
            if !plain.isEmpty { out.append((plain, .none)); plain = "" }
            out.append((body, shift))
        }
        while i < chars.count {
            let c = chars[i]
            if (c == "_" || c == "^"), i + 1 < chars.count {
                let shift: Shift = c == "_" ? .sub : .super
                if chars[i + 1] == "{", let close = chars[(i + 2)...].firstIndex(of: "}") {
                    shifted(String(chars[(i + 2)..<close]), shift)
                    i = close + 1
                    continue
                }
                if c == "^", chars[i + 1] == "(", i > 0, isWordCharacter(chars[i - 1]),
                   let close = chars[(i + 2)...].firstIndex(of: ")"), close > i + 2 {
                    shifted(String(chars[(i + 2)..<close]), shift)
                    i = close + 1
                    continue
                }
                let next = chars[i + 1]
                let endsThere = i + 2 >= chars.count || !isWordCharacter(chars[i + 2])
                if isWordCharacter(next) && endsThere {
                    shifted(String(next), shift)
                    i += 2
                    continue
                }
            }
            plain.append(c)
            i += 1
        }
        if !plain.isEmpty { out.append((plain, .none)) }
        return out
    }

    /// `text` for HTML, its math typeset as in the figures (`runs`): shifted runs in `<sub>` and
    /// `<sup>`, everything escaped. The report's captions and titles.
    package static func html(_ text: String) -> String {
        runs(text).map { run in
            switch run.shift {
            case .none: escape(run.text)
            case .sub: "<sub>" + escape(run.text) + "</sub>"
            case .super: "<sup>" + escape(run.text) + "</sup>"
            }
        }.joined()
    }

    /// `text` with the five specials escaped, for element content and quoted attributes.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
