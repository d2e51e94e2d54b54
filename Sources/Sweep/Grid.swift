import Model
import SpecgdSupport

/// The Cartesian product of the axes, in a fixed order: the first axis varies slowest and
/// the last fastest (like nested loops written in the order of the `--grid` options). A
/// cell's index is its position in that order; together with `cellID` it names the cell
/// stably across runs, shards and machines.
public struct Grid: Sendable, Codable, Equatable {
    public let axes: [GridAxis]

    init(axes: [GridAxis]) throws {
        guard !axes.isEmpty else { throw InputError("a sweep needs at least one \(InputError.field("grid")) axis") }
        var seen = Set<SweepParameter>()
        for axis in axes where !seen.insert(axis.parameter).inserted {
            throw InputError("grid axis '\(axis.name)' is given twice; combine its values into one \(InputError.field("grid"))")
        }
        let total = axes.reduce(1.0) { $0 * Double($1.values.count) }
        guard total <= 100_000_000 else {
            throw InputError("the grid has \(Int(total)) cells; at most 100000000 are supported")
        }
        self.axes = axes
    }

    public static func parse(_ specs: [String], mode: SweepMode) throws -> Grid {
        try Grid(axes: specs.map { try GridAxis.parse($0, mode: mode) })
    }

    public var count: Int { axes.reduce(1) { $0 * $1.values.count } }
    public var names: [String] { axes.map(\.name) }

    /// Cell `index`'s axis values as cells.csv writes them (words on a name axis).
    func texts(at index: Int) -> [String] {
        zip(axes, values(at: index)).map { $0.text($1) }
    }

    public func axis(_ parameter: SweepParameter) -> GridAxis? {
        axes.first { $0.parameter == parameter }
    }

    /// The axis values of cell `index` (one per axis, in axis order).
    public func values(at index: Int) -> [Double] {
        precondition(index >= 0 && index < count, "cell \(index) outside a grid of \(count)")
        var rest = index
        var out = [Double](repeating: 0, count: axes.count)
        for a in stride(from: axes.count - 1, through: 0, by: -1) {
            let n = axes[a].values.count
            out[a] = axes[a].values[rest % n]
            rest /= n
        }
        return out
    }

    /// A 64-bit FNV-1a hash of the cell's axis names and exact value bits (a name axis: its
    /// word's bytes, so adding one never changes a numeric cell's id), as `0x` and 16 hex
    /// digits (the prefix keeps pandas from reading an all-digit id as an integer): it
    /// changes whenever a cell's parameters do, so a stale or foreign line is caught.
    func cellID(at index: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        for (axis, value) in zip(axes, values(at: index)) {
            for byte in axis.name.utf8 { mix(byte) }
            mix(0x3D)
            if axis.isName {
                for byte in axis.text(value).utf8 { mix(byte) }
                continue
            }
            var bits = value.bitPattern
            for _ in 0..<8 { mix(UInt8(truncatingIfNeeded: bits)); bits >>= 8 }
        }
        let hex = String(hash, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Which part of the grid one process runs: cells with index mod `count` == `index` − 1.
/// Round-robin (not contiguous blocks) so every shard gets a similar mix of cheap and
/// expensive cells.
public struct Shard: Sendable, Codable, Equatable, CustomStringConvertible {
    /// 1-based, as SLURM array tasks are usually counted by people.
    public var index: Int
    public var count: Int

    init(index: Int, count: Int) throws {
        guard count >= 1, index >= 1, index <= count else {
            throw InputError("\(InputError.field("shard")) I/N needs 1 <= I <= N (got \(index)/\(count))")
        }
        self.index = index
        self.count = count
    }

    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw InputError("\(InputError.field("shard")) expects I/N with integers, e.g. 2/8 (got '\(text)')")
        }
        return try Shard(index: i, count: n)
    }

    public func contains(_ cell: Int) -> Bool { cell % count == index - 1 }
    public var description: String { "\(index)/\(count)" }
}
