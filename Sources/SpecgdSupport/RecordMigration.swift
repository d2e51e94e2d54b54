import Foundation

/// Records written by earlier releases, brought to today's spelling before they are decoded:
/// the one place a renamed field is mapped, so every reader (replay, resume, merge, plot-phase,
/// report) loads an old record the same way (docs/outputs.md "Records of earlier releases").
public enum RecordMigration {
    /// A key renamed in the object at `path` of a record of `kind`.
    struct Rename {
        let kind: String
        let path: [String]
        let old: String
        let new: String
    }

    /// Every rename since the records were first written, oldest first. 0.1.0 (09e690d) wrote a
    /// sweep's base point with the grid's words `dim` and `lr`; every other record spelled them
    /// `dimension` and `learningRate`, as the configuration types do.
    static let renames = [
        Rename(kind: "sweep", path: ["configuration", "base"], old: "dim", new: "dimension"),
        Rename(kind: "sweep", path: ["configuration", "base"], old: "lr", new: "learningRate"),
    ]

    /// A key added to the object at `path` of a record of `kind`, with the value every record
    /// written before it existed means.
    struct Addition: Sendable {
        let kind: String
        let path: [String]
        let key: String
        let value: Int
    }

    /// Every field added since the records were first written. 0.1.0's check-escape summary had no
    /// `diverged` count: a run that diverged was not a row of its own then, so it counted none.
    static let additions = [
        Addition(kind: "check-escape", path: ["summary"], key: "diverged", value: 0),
    ]

    /// `data` with the renamed keys of its record kind (`kind`, else its top-level "kind")
    /// rewritten and the added keys it lacks filled in; the bytes unchanged when nothing applies
    /// or `data` is not a JSON object. A record holding both spellings keeps both, so the strict
    /// reader refuses the stale one by name.
    package static func migrate(_ data: Data, kind: String? = nil) -> Data {
        guard var record = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let kind = kind ?? record["kind"] as? String else { return data }
        var changed = false
        for rename in renames where rename.kind == kind {
            changed = rewrite(&record, at: rename.path[...], rename) || changed
        }
        for addition in additions where addition.kind == kind {
            changed = add(&record, at: addition.path[...], addition) || changed
        }
        guard changed, let migrated = try? JSONSerialization.data(withJSONObject: record) else { return data }
        return migrated
    }

    private static func add(_ object: inout [String: Any], at path: ArraySlice<String>, _ addition: Addition) -> Bool {
        guard let key = path.first else {
            guard object[addition.key] == nil else { return false }
            object[addition.key] = addition.value
            return true
        }
        guard var inner = object[key] as? [String: Any] else { return false }
        let changed = add(&inner, at: path.dropFirst(), addition)
        object[key] = inner
        return changed
    }

    private static func rewrite(_ object: inout [String: Any], at path: ArraySlice<String>, _ rename: Rename) -> Bool {
        guard let key = path.first else {
            guard let value = object[rename.old], object[rename.new] == nil else { return false }
            object[rename.new] = value
            object[rename.old] = nil
            return true
        }
        guard var inner = object[key] as? [String: Any] else { return false }
        let changed = rewrite(&inner, at: path.dropFirst(), rename)
        object[key] = inner
        return changed
    }
}
