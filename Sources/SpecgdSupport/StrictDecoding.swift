import Foundation

/// Any JSON object key, for listing what a file actually contains (and for records whose
/// keys are chosen at run time, e.g. `Experiment.encodeRecordFields`).
package struct AnyCodingKey: CodingKey, Sendable {
    package var stringValue: String
    package var intValue: Int?
    package init(stringValue: String) { self.stringValue = stringValue }
    package init(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

extension Decoder {
    /// Refuses an object holding a key outside `known` (a typo such as "eigenvalu" must not
    /// be ignored silently): InputError "unknown key 'eigenvalu' in groups[0] (expected: …)".
    /// Call it first in `init(from:)` of every type a user writes by hand.
    package func rejectUnknownKeys(_ known: [String]) throws {
        let container = try self.container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys where !known.contains(key.stringValue) {
            let at = JSONPath.describe(codingPath)
            throw InputError("unknown key '\(key.stringValue)'\(at.isEmpty ? "" : " in \(at)") (expected: \(known.joined(separator: ", ")))")
        }
    }
}

package enum JSONPath {
    /// [groups, 0, name] → "groups[0].name".
    package static func describe(_ keys: [CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text
    }

    /// For Codable values without hand-written decoding (a sweep.json read back): the first
    /// key of `data` that re-encoding the decoded value does not produce, i.e. a key the type
    /// ignored. Null values are skipped (optional fields encode as absent).
    package static func firstIgnoredKey(in data: Data, reencoded: Data) -> String? {
        guard let original = try? JSONSerialization.jsonObject(with: data),
              let again = try? JSONSerialization.jsonObject(with: reencoded) else { return nil }
        return ignored(original, again, path: "")
    }

    private static func ignored(_ original: Any, _ again: Any, path: String) -> String? {
        if let object = original as? [String: Any], let other = again as? [String: Any] {
            for key in object.keys.sorted() {
                let value = object[key]!
                if value is NSNull { continue }
                let at = path.isEmpty ? key : path + "." + key
                guard let counterpart = other[key] else { return at }
                if let found = ignored(value, counterpart, path: at) { return found }
            }
        } else if let array = original as? [Any], let other = again as? [Any] {
            for (i, (a, b)) in zip(array, other).enumerated() {
                if let found = ignored(a, b, path: path + "[\(i)]") { return found }
            }
        }
        return nil
    }
}

/// What Foundation's JSON readers accept silently or misname, found before decoding: a key
/// given twice in one object (JSONDecoder keeps the first, JSONSerialization the last) and a
/// number no Double holds (1e400, or 1e-400 that would read as 0), which JSONDecoder calls "not
/// valid JSON" for the whole file. Syntax errors are left to the decoder, which reports them.
package enum StrictJSON {
    /// Deeper nesting is refused (the scan recurses once a level).
    package static let maximumDepth = 512

    /// Throws a one-line InputError naming the key: "duplicate key 'eigenvalue' in groups[1]",
    /// "number out of range at groups[0].eigenvalue: 1e400 (…)".
    package static func check(_ data: Data) throws {
        do { _ = try scan(data) } catch is Malformed {}  // the decoder names the syntax error
    }

    /// For a decoding failure Foundation reports as "not valid JSON" although the text is JSON
    /// (JSONDecoder says so for any number an integer field cannot hold): what is wrong, naming
    /// the key when one number is beyond every integer type; nil when the text is not JSON.
    package static func explainDecodingFailure(_ data: Data) -> String? {
        guard let numbers = try? scan(data) else { return nil }
        if let huge = numbers.first(where: { $0.value.rounded() == $0.value && abs($0.value) >= 0x1p63 }) {
            return "number out of range at \(huge.path): \(huge.literal) (a whole-number field holds at most 9223372036854775807)"
        }
        return "a number does not fit its field (a whole number is expected, or it is out of range)"
    }

    struct Number { var path: String, literal: String, value: Double }
    private struct Malformed: Error {}

    /// The numbers of `data` with their paths; throws InputError for the refusals above and
    /// `Malformed` (not JSON) otherwise.
    private static func scan(_ data: Data) throws -> [Number] {
        var scanner = Scanner(bytes: [UInt8](data))
        do {
            scanner.skipSpace()
            try scanner.value(path: "", depth: 0)
            scanner.skipSpace()
            guard scanner.position == scanner.bytes.count else { throw Malformed() }
        } catch let error as InputError { throw error } catch { throw Malformed() }
        return scanner.numbers
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0
        var numbers: [Number] = []

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipSpace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { position += 1 }
        }

        mutating func expect(_ byte: UInt8) throws {
            guard current == byte else { throw Malformed() }
            position += 1
        }

        mutating func value(path: String, depth: Int) throws {
            guard depth < StrictJSON.maximumDepth else {
                throw InputError("nests more than \(StrictJSON.maximumDepth) levels deep at \(path.isEmpty ? "the top" : path)")
            }
            guard let first = current else { throw Malformed() }
            switch first {
            case UInt8(ascii: "{"):
                position += 1
                var keys = Set<String>()
                skipSpace()
                if current == UInt8(ascii: "}") { position += 1; return }
                while true {
                    skipSpace()
                    let key = try string()
                    guard keys.insert(key).inserted else {
                        throw InputError("duplicate key '\(key)'\(path.isEmpty ? "" : " in \(path)") (a key may appear once in an object)")
                    }
                    skipSpace()
                    try expect(UInt8(ascii: ":"))
                    skipSpace()
                    try value(path: path.isEmpty ? key : path + "." + key, depth: depth + 1)
                    skipSpace()
                    if current == UInt8(ascii: ",") { position += 1; continue }
                    try expect(UInt8(ascii: "}"))
                    return
                }
            case UInt8(ascii: "["):
                position += 1
                skipSpace()
                if current == UInt8(ascii: "]") { position += 1; return }
                var index = 0
                while true {
                    skipSpace()
                    try value(path: path + "[\(index)]", depth: depth + 1)
                    index += 1
                    skipSpace()
                    if current == UInt8(ascii: ",") { position += 1; continue }
                    try expect(UInt8(ascii: "]"))
                    return
                }
            case UInt8(ascii: "\""):
                _ = try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = position
                while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "-")
                        || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                    position += 1
                }
                let literal = String(decoding: bytes[start..<position], as: UTF8.self)
                guard let number = Double(literal) else { throw Malformed() }
                let at = path.isEmpty ? "the top" : path
                // A literal with a non-zero digit in its mantissa that reads as 0 has underflowed.
                let mantissa = literal.prefix { $0 != "e" && $0 != "E" }
                if !number.isFinite || (number == 0 && mantissa.contains { ("1"..."9").contains($0) }) {
                    throw InputError("number out of range at \(at): \(literal) (a number's magnitude must lie in 2.2e-308…1.8e308, or be 0)")
                }
                numbers.append(Number(path: at, literal: literal, value: number))
            default:
                for word in ["true", "false", "null"] where bytes[position...].starts(with: word.utf8) {
                    position += word.utf8.count
                    return
                }
                throw Malformed()
            }
        }

        /// A string's value (escapes decoded, so "a" and "\u0061" are the same key).
        mutating func string() throws -> String {
            try expect(UInt8(ascii: "\""))
            var scalars = String.UnicodeScalarView()
            var raw = [UInt8]()
            func flush() { scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars); raw.removeAll() }
            func hex4() throws -> UInt32 {
                guard position + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
                else { throw Malformed() }
                position += 4
                return v
            }
            while let c = current {
                position += 1
                if c == UInt8(ascii: "\"") { flush(); return String(scalars) }
                guard c == UInt8(ascii: "\\") else { raw.append(c); continue }
                guard let e = current else { throw Malformed() }
                position += 1
                flush()
                switch e {
                case UInt8(ascii: "u"):
                    var v = try hex4()
                    if (0xD800..<0xDC00).contains(v), current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") {
                        position += 2
                        let low = try hex4()
                        v = 0x10000 + ((v - 0xD800) << 10) + (low &- 0xDC00)
                    }
                    scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                default: scalars.append(Unicode.Scalar(e))
                }
            }
            throw Malformed()
        }
    }
}
