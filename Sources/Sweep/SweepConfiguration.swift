import Foundation
import SpecgdSupport

/// Everything that determines a sweep's numbers — stored in DIR/sweep.json at the start so a
/// resumed run or a merge can prove it is continuing the same sweep.
public struct SweepConfiguration: Sendable, Codable, Equatable {
    public var mode: SweepMode
    public var metrics: [Metric]
    public var grid: Grid
    /// The model options every cell starts from; its seed is the master seed.
    public var base: ModelPoint
    /// nil for a whole (or merged) sweep.
    public var shard: Shard?
    /// The toolkit version: a different version may compute different numbers.
    public var version: String

    public init(mode: SweepMode, metrics: [Metric], grid: Grid, base: ModelPoint, shard: Shard? = nil,
                version: String = SpecgdVersion.string) {
        self.mode = mode
        self.metrics = metrics
        self.grid = grid
        self.base = base
        self.shard = shard
        self.version = version
    }

    /// The model point of one cell: the base with the cell's axis values written over it.
    /// Unless `seed` is itself an axis, the seed is derived from the master seed and the
    /// cell index (`cellSeed`).
    public func point(at cell: Int) -> ModelPoint {
        var point = base
        point.seed = cellSeed(master: base.seed, cell: cell)
        for (axis, value) in zip(grid.axes, grid.values(at: cell)) { point.set(axis.parameter, value) }
        return point
    }

    /// The cells this configuration runs, in index order.
    public var cells: [Int] {
        guard let shard else { return Array(0..<grid.count) }
        return Array(stride(from: shard.index - 1, to: grid.count, by: shard.count))
    }

    /// cells.csv's header. The seed column is left out when seed is itself an axis (the
    /// axis column already holds each cell's seed).
    public var columns: [String] {
        ["cell", "cell_id"] + grid.names + metrics.map(\.rawValue) + (hasSeedColumn ? ["seed"] : [])
            + ["status", "diverged_step"]
    }

    var hasSeedColumn: Bool { grid.axis(.seed) == nil }

    /// Human-readable names of the fields where `other` differs (empty when equal).
    public func differences(from other: SweepConfiguration, ignoringShard: Bool = false) -> [String] {
        var out = [String]()
        if mode != other.mode { out.append("mode \(other.mode.rawValue) vs \(mode.rawValue)") }
        if metrics != other.metrics {
            out.append("metrics \(other.metrics.map(\.rawValue).joined(separator: ",")) vs \(metrics.map(\.rawValue).joined(separator: ","))")
        }
        if grid != other.grid {
            out.append("grid \(other.grid.axes.map(\.spec).joined(separator: " ")) vs \(grid.axes.map(\.spec).joined(separator: " "))")
        }
        if base != other.base { out.append("model options (\(baseDifferences(other.base).joined(separator: ", ")))") }
        if !ignoringShard, shard != other.shard {
            out.append("shard \(other.shard.map(\.description) ?? "none") vs \(shard.map(\.description) ?? "none")")
        }
        if version != other.version { out.append("specgd version \(other.version) vs \(version)") }
        return out
    }

    private func baseDifferences(_ other: ModelPoint) -> [String] {
        let mine = Self.fields(base), theirs = Self.fields(other)
        return mine.keys.sorted().compactMap { key in
            mine[key] == theirs[key] ? nil : "\(key) \(theirs[key] ?? "-") vs \(mine[key] ?? "-")"
        }
    }

    private static func fields(_ point: ModelPoint) -> [String: String] {
        guard let data = try? JSONOutput.encode(point),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object.mapValues { "\($0)" }
    }
}

/// sweep.json: the configuration wrapped in the toolkit's usual run record.
public enum SweepRecord {
    public static let fileName = "sweep.json"
    public static let cellsFileName = "cells.csv"

    struct Summary: Codable, Sendable {
        var totalCells: Int
        var cellsInThisRun: Int
    }

    /// Only the part of the record that matters when reading it back.
    private struct Stored: Decodable {
        var configuration: SweepConfiguration
    }

    public static func write(_ configuration: SweepConfiguration, to directory: String,
                             command: [String] = Invocation.arguments, replayOf: ReplaySource? = nil) throws {
        let record = RunRecord(kind: "sweep", configuration: configuration,
                               summary: Summary(totalCells: configuration.grid.count,
                                                cellsInThisRun: configuration.cells.count),
                               command: command, replayOf: replayOf)
        try record.write(to: path(directory))
    }

    public static func read(from directory: String) throws -> SweepConfiguration {
        let file = path(directory)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw InputError("\(file) not found: \(directory) is not a sweep directory")
        }
        return try read(data, file: file)
    }

    /// The configuration in a sweep record's bytes (`file` names it in errors).
    public static func read(_ data: Data, file: String) throws -> SweepConfiguration {
        let configuration: SweepConfiguration
        do {
            configuration = try JSONOutput.decoder().decode(Stored.self, from: data).configuration
        } catch {
            throw InputError("\(file) is not a readable sweep record: \(error)")
        }
        // A key the configuration does not know (a hand edit, a typo) is refused, not ignored.
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let stored = object["configuration"],
           let storedData = try? JSONSerialization.data(withJSONObject: stored),
           let key = JSONPath.firstIgnoredKey(in: storedData, reencoded: try JSONOutput.encode(configuration)) {
            throw InputError("\(file): unknown key 'configuration.\(key)'")
        }
        return configuration
    }

    public static func path(_ directory: String) -> String { directory + "/" + fileName }
    public static func cellsPath(_ directory: String) -> String { directory + "/" + cellsFileName }
}
