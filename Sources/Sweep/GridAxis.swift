import Model
import Foundation
import SpecgdSupport

/// One axis of a sweep grid: which option it varies and the values it takes, in order.
///
/// Spellings (`--grid SPEC`):
/// - `name=start:stop:count`      — `count` evenly spaced values, both ends included;
/// - `name=start:stop:count:log`  — geometric spacing (both bounds must be > 0);
/// - `name=v1,v2,v3`              — an explicit list (a single `name=v` is a one-value axis).
/// Integer options (dim, steps, width, samples, seed) are rounded to the nearest integer;
/// a spec whose rounded values repeat is refused rather than silently shortened.
/// A name axis (`method`, `polar`) takes `name=w1,w2,…` only: its `labels` are the words and
/// its `values` their positions 0, 1, …, so the grid's arithmetic is the same for every axis;
/// sweep.json, cells.csv and the cell ids carry the words.
public struct GridAxis: Sendable, Codable, Equatable {
    var parameter: SweepParameter
    /// The spec as the user wrote it (kept in sweep.json so the run can be read back).
    var spec: String
    public var values: [Double]
    /// A name axis's words, one per value (nil for a numeric axis).
    public var labels: [String]?

    public var name: String { parameter.rawValue }
    public var isName: Bool { labels != nil }

    init(parameter: SweepParameter, spec: String, values: [Double]) {
        self.parameter = parameter
        self.spec = spec
        self.values = values
    }

    /// A name axis over `labels`.
    init(parameter: SweepParameter, spec: String, labels: [String]) {
        self.init(parameter: parameter, spec: spec, values: labels.indices.map(Double.init))
        self.labels = labels
    }

    /// How `value` (one of `values`) is written in cells.csv: the word of a name axis, else the number.
    public func text(_ value: Double) -> String {
        guard let labels else { return Table.format(value) }
        return labels[Int(value)]
    }

    /// The value a cells.csv field stands for (nil when it is none of the axis's).
    public func value(ofText field: String) -> Double? {
        if let labels { return labels.firstIndex(of: field).map(Double.init) }
        return Double(field)
    }

    private enum CodingKeys: String, CodingKey { case parameter, spec, values }

    /// A name axis stores its words under `values`, a numeric one its numbers (as always).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        parameter = try c.decode(SweepParameter.self, forKey: .parameter)
        spec = try c.decode(String.self, forKey: .spec)
        if parameter.isName {
            let words = try c.decode([String].self, forKey: .values)
            for word in words where !parameter.names.contains(word) {
                throw InputError("grid axis \(parameter.rawValue): unknown value '\(word)'")
            }
            labels = words
            values = words.indices.map(Double.init)
        } else {
            values = try c.decode([Double].self, forKey: .values)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(parameter, forKey: .parameter)
        try c.encode(spec, forKey: .spec)
        if let labels { try c.encode(labels, forKey: .values) } else { try c.encode(values, forKey: .values) }
    }

    /// Parses one `--grid` spec; every failure is a one-line `InputError` naming the spec.
    public static func parse(_ spec: String, mode: SweepMode) throws -> GridAxis {
        let text = spec.trimmingCharacters(in: .whitespaces)
        guard let equals = text.firstIndex(of: "=") else {
            throw InputError("grid spec '\(spec)': expected name=start:stop:count[:log] or name=v1,v2,…")
        }
        let name = text[..<equals].trimmingCharacters(in: .whitespaces)
        let body = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        let parameter: SweepParameter
        do { parameter = try SweepParameter.named(name, mode: mode) } catch let error as InputError {
            throw error.prefixed("grid spec '\(spec)': ")
        }
        guard !body.isEmpty else { throw InputError("grid spec '\(spec)': no values after '='") }
        if parameter.isName { return try names(body, parameter: parameter, spec: spec, text: text) }

        var values: [Double]
        if body.contains(":") {
            values = try range(body, spec: spec)
        } else {
            values = try body.split(separator: ",", omittingEmptySubsequences: false).map {
                try number($0, spec: spec)
            }
        }
        if parameter.isInteger {
            for v in values where !(abs(v) < 9_007_199_254_740_992) {
                throw InputError("grid spec '\(spec)': \(name) takes integers, \(v) is out of range")
            }
            values = values.map { $0.rounded() }
        }
        for v in values {
            do { try parameter.validate(v) } catch let error as InputError {
                throw error.prefixed("grid spec '\(spec)': ")
            }
        }
        var seen = Set<Double>()
        for v in values where !seen.insert(v).inserted {
            let note = parameter.isInteger ? " (after rounding to integers)" : ""
            throw InputError("grid spec '\(spec)': value \(Table.format(v)) appears twice\(note)")
        }
        return GridAxis(parameter: parameter, spec: text, values: values)
    }

    /// `w1,w2,…` of a name axis: each a word of the option, none twice.
    private static func names(_ body: String, parameter: SweepParameter, spec: String, text: String) throws -> GridAxis {
        let words = body.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var seen = Set<String>()
        for word in words {
            guard parameter.names.contains(word) else {
                throw InputError("grid spec '\(spec)': '\(word)' is not a \(parameter == .polar ? "polar rule" : parameter.rawValue); values: \(parameter.names.joined(separator: ", "))")
            }
            guard seen.insert(word).inserted else { throw InputError("grid spec '\(spec)': value \(word) appears twice") }
        }
        return GridAxis(parameter: parameter, spec: text, labels: words)
    }

    private static func range(_ body: String, spec: String) throws -> [Double] {
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3 || parts.count == 4 else {
            throw InputError("grid spec '\(spec)': a range is start:stop:count or start:stop:count:log")
        }
        let start = try number(parts[0], spec: spec)
        let stop = try number(parts[1], spec: spec)
        guard let count = Int(parts[2].trimmingCharacters(in: .whitespaces)) else {
            throw InputError("grid spec '\(spec)': count '\(parts[2])' is not an integer")
        }
        guard count >= 1 else { throw InputError("grid spec '\(spec)': count must be >= 1 (got \(count))") }
        guard count <= 10_000_000 else { throw InputError("grid spec '\(spec)': count \(count) is too large") }
        if count > 1, start == stop {
            throw InputError("grid spec '\(spec)': start equals stop, so \(count) values would all be equal")
        }
        if parts.count == 4 {
            guard parts[3].trimmingCharacters(in: .whitespaces).lowercased() == "log" else {
                throw InputError("grid spec '\(spec)': the fourth field may only be 'log' (got '\(parts[3])')")
            }
            guard start > 0, stop > 0 else {
                throw InputError("grid spec '\(spec)': a log range needs start > 0 and stop > 0")
            }
            return spaced(count, start, stop) { pow(10, $0) } inverse: { log10($0) }
        }
        return spaced(count, start, stop) { $0 } inverse: { $0 }
    }

    /// Evenly spaced in the transformed coordinate, with the ends exactly as written and every
    /// interior value the shortest decimal of the intended one: u₀ + (u₁ − u₀)t is off the
    /// intended value by a few ulps (0:1:11 gives 0.30000000000000004), so it is rounded to 15
    /// significant digits — far above that error, far below any grid spacing a sweep can hold
    /// (count ≤ 10⁷) — and the grid, cells.csv and the cell ids carry 0.3.
    private static func spaced(_ count: Int, _ start: Double, _ stop: Double,
                               transform: (Double) -> Double, inverse: (Double) -> Double) -> [Double] {
        guard count > 1 else { return [start] }
        let u0 = inverse(start), u1 = inverse(stop)
        return (0..<count).map { i in
            if i == 0 { return start }
            if i == count - 1 { return stop }
            let t = Double(i) / Double(count - 1)
            return shortestDecimal(transform(u0 + (u1 - u0) * t))
        }
    }

    /// `value` rounded to 15 significant digits (a double has 15.95).
    static func shortestDecimal(_ value: Double) -> Double {
        Double(String(format: "%.15g", value)) ?? value
    }

    private static func number(_ field: Substring, spec: String) throws -> Double {
        let trimmed = field.trimmingCharacters(in: .whitespaces)
        guard let value = Double(trimmed), value.isFinite else {
            throw InputError("grid spec '\(spec)': '\(trimmed)' is not a finite number")
        }
        return value
    }
}

extension GridAxis {
    /// Whether the values are best drawn on a log axis: a `:log` grid, or an explicit list of
    /// two or more positive values spanning at least a decade whose log-spacing is at least as
    /// even as their linear spacing (`lr=1e-3,3e-3,1e-2` is geometric; `lambda=1,2,3,4` is not).
    var isGeometric: Bool {
        if spec.lowercased().hasSuffix(":log") { return true }
        guard !isName, spec.contains(","), values.count >= 2, let lo = values.min(), let hi = values.max(), lo > 0, hi >= 10 * lo else {
            return false
        }
        let sorted = values.sorted()
        func spread(_ v: [Double]) -> Double {
            let gaps = zip(v.dropFirst(), v).map { $0 - $1 }
            guard let small = gaps.min(), let large = gaps.max(), small > 0 else { return .infinity }
            return large / small
        }
        return spread(sorted.map { Foundation.log($0) }) <= spread(sorted)
    }
}
