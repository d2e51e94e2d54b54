/// The toolkit's version, recorded in every output it writes.
public enum SpecgdVersion {
    /// The release (`specgd --version`, CITATION.cff, CHANGELOG.md's numbered sections).
    public static let string = "0.2.0"

    /// Which numbers each release computes, as a generation: a release that computes any number
    /// differently for the same inputs (a map, a dense step, a metric, a random draw) starts a new
    /// generation. Releases of one generation resume and merge each other's sweeps, because a cell
    /// one of them computed is the cell the other would compute. Evidence for each entry:
    /// RecordMigrationTests replays every record of the oldest release of the generation to the
    /// bytes it wrote. Every release is listed here (ReleaseTests checks `string` is).
    static let numbersGenerations: [String: Int] = [
        "0.1.0": 1,
        // Every 0.1.0 sweep (one-spike, theory or simulate mode) computes the same cells in
        // 0.2.0; what 0.2.0 computes differently (dense statistics off the one-spike model, exact
        // escape steps at --every > 1) no 0.1.0 sweep could hold.
        "0.2.0": 1,
    ]

    /// The generation of `release`'s numbers; nil for a release this one does not know (a later
    /// one: it may compute other numbers).
    package static func numbersGeneration(of release: String) -> Int? { numbersGenerations[release] }

    /// True when releases `a` and `b` compute the same numbers: the same release, or two known
    /// releases of one generation.
    public static func computeTheSameNumbers(_ a: String, _ b: String) -> Bool {
        a == b || (numbersGeneration(of: a).map { $0 == numbersGeneration(of: b) } ?? false)
    }
}
