/// "Did you mean …?" for a mistyped name: the closest of the names a user could have meant,
/// as swift-argument-parser suggests for an unknown option (its helper is internal to it).
package enum Suggestion {
    /// The name closest to `word` (edit distance), if within `maximumDistance` edits (2: one
    /// slip and a swap, or two slips — beyond that a suggestion is more often wrong than right)
    /// and fewer edits than `word` has characters (`7` is no typo of `gd`); ties go to the first
    /// in `names`.
    package static func closest(to word: String, among names: some Sequence<String>, maximumDistance: Int = 2) -> String? {
        var best: (name: String, distance: Int)?
        for name in names {
            let distance = editDistance(word, name)
            if distance <= maximumDistance, distance < word.count, distance < (best?.distance ?? .max) { best = (name, distance) }
        }
        return best?.name
    }

    /// ` (did you mean 'NAME'?)`, or nothing when no name is close: the tail of a refusal.
    package static func phrase(for word: String, among names: some Sequence<String>) -> String {
        closest(to: word, among: names).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// Levenshtein distance (insertions, deletions, substitutions), by characters.
    package static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
