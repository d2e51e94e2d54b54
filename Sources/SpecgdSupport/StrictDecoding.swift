import Foundation

/// Any JSON object key, for listing what a file actually contains.
public struct AnyCodingKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int?
    public init(stringValue: String) { self.stringValue = stringValue }
    public init(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

extension Decoder {
    /// Refuses an object holding a key outside `known` (a typo such as "eigenvalu" must not
    /// be ignored silently): InputError "unknown key 'eigenvalu' in groups[0] (expected: …)".
    /// Call it first in `init(from:)` of every type a user writes by hand.
    public func rejectUnknownKeys(_ known: [String]) throws {
        let container = try self.container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys where !known.contains(key.stringValue) {
            let at = JSONPath.describe(codingPath)
            throw InputError("unknown key '\(key.stringValue)'\(at.isEmpty ? "" : " in \(at)") (expected: \(known.joined(separator: ", ")))")
        }
    }
}

public enum JSONPath {
    /// [groups, 0, name] → "groups[0].name".
    public static func describe(_ keys: [CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text
    }

    /// For Codable values without hand-written decoding (a sweep.json read back): the first
    /// key of `data` that re-encoding the decoded value does not produce, i.e. a key the type
    /// ignored. Null values are skipped (optional fields encode as absent).
    public static func firstIgnoredKey(in data: Data, reencoded: Data) -> String? {
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
