import Foundation
import Machine
import SpecgdSupport
import Model
import Theory

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
    /// The release that started the sweep. A resume or merge needs a release of the same numbers
    /// generation (`SpecgdVersion.computeTheSameNumbers`), not the same release.
    public var version: String
    /// Options that follow the axes (`--derive`), in order; nil when there are none (so a
    /// sweep without them keeps the sweep.json it always had).
    var derived: [DerivedParameter]?
    /// What `escape_ratio` compares; nil = `EscapeRatio.paper` (GD / SpecGD), so a sweep with
    /// the paper's ratio keeps the sweep.json it always had.
    var ratio: EscapeRatio?

    public init(mode: SweepMode, metrics: [Metric], grid: Grid, base: ModelPoint, shard: Shard? = nil,
                version: String = SpecgdVersion.string) {
        self.mode = mode
        self.metrics = metrics
        self.grid = grid
        self.base = base
        self.shard = shard
        self.version = version
    }

    /// A sweep with derived options: none may be a grid axis or be derived twice.
    public init(mode: SweepMode, metrics: [Metric], grid: Grid, base: ModelPoint, shard: Shard? = nil,
                version: String = SpecgdVersion.string, derived: [DerivedParameter]) throws {
        self.init(mode: mode, metrics: metrics, grid: grid, base: base, shard: shard, version: version)
        let kinds = grid.axis(.covariance).map { $0.labels!.map { CovarianceKind(rawValue: $0)! } }
        for parameter in grid.axes.map(\.parameter) + derived.map(\.parameter) { try base.checkAxis(parameter, kinds: kinds) }
        var seen = Set<SweepParameter>()
        for d in derived {
            if grid.axis(d.parameter) != nil {
                throw InputError("--derive '\(d.name)=\(d.expression)': \(d.name) is a grid axis; an option is either an axis or derived")
            }
            guard seen.insert(d.parameter).inserted else { throw InputError("--derive: \(d.name) is derived twice") }
        }
        self.derived = derived.isEmpty ? nil : derived
    }

    /// The derived options (empty when there are none).
    var derivedParameters: [DerivedParameter] { derived ?? [] }

    /// The optimizers escape_ratio compares.
    var escapeRatio: EscapeRatio { ratio ?? .paper }

    /// Sets what escape_ratio compares (`--ratio`); refused unless the sweep records it.
    public mutating func setRatio(_ ratio: EscapeRatio?) throws {
        guard let ratio else { return }
        guard metrics.contains(.escapeRatio) else {
            throw InputError("\(InputError.field("ratio")) chooses what the escape_ratio metric compares; add escape_ratio to \(InputError.field("metrics"))")
        }
        self.ratio = ratio == .paper ? nil : ratio
    }

    /// Sets `predicted_escape_spread`'s draws per cell (`--law-draws`); refused unless the sweep
    /// records that metric, checked by `SeedSpreadSettings` as compare's and check-escape's.
    public mutating func setLawDraws(_ draws: Int?) throws {
        guard let draws else { return }
        guard metrics.contains(.predictedEscapeSpread) else {
            throw InputError("\(InputError.field("lawDraws")) sets the draws of the predicted_escape_spread metric; add predicted_escape_spread to \(InputError.field("metrics"))")
        }
        base.lawDraws = draws == SeedSpreadSettings.defaultSweepLawDraws ? nil : draws
        try checkLawDraws()
    }

    /// A recorded draw count (a hand-edited sweep.json too) within `SeedSpreadSettings`' range.
    func checkLawDraws() throws {
        if let draws = base.lawDraws { try SeedSpreadSettings(lawDraws: draws).validate() }
    }

    /// The optimizer options are read by some cell: with no method or polar axis, the
    /// library's own check (the same words as every command); with one, an option is refused
    /// only when no cell's method and polar rule read it (`ModelPoint.optimizer` drops it
    /// from the other cells), e.g. a polar axis without a specgd cell.
    func checkOptimizer() throws {
        let methodAxis = grid.axis(.method), polarAxis = grid.axis(.polar)
        guard methodAxis != nil || polarAxis != nil else {
            if var o = base.optimizerOptions {
                o.method = base.method
                // A momentum axis's values are checked cell by cell (β = 0 with Nesterov names its cell).
                if let axis = grid.axis(.momentum) { o.momentum = axis.values.max()! }
                if let axis = grid.axis(.weightDecay) { o.weightDecay = axis.values.max()! }
                try o.validate()
            }
            return
        }
        let f = InputError.field
        let methods = methodAxis.map { $0.labels!.map { Method(rawValue: $0)! } } ?? [base.method]
        var cells = [ModelPoint]()
        for m in methods {
            let rules: [String?] = polarAxis?.labels ?? [nil]
            for rule in rules {
                var p = base
                p.set(.method, word: m.rawValue)
                if let rule { p.set(.polar, word: rule) }
                cells.append(p)
            }
        }
        let optimizers = cells.map(\.optimizer)
        if polarAxis != nil, !methods.contains(.specgd) {
            throw InputError("grid axis polar applies to \(f("method")) specgd only, and no cell runs specgd; add specgd to the method axis")
        }
        guard let given = base.optimizerOptions else { return }
        typealias Check = (name: String, given: Bool, isRead: (Optimizer) -> Bool)
        let checks: [Check] = [
            ("polar", given.polar != nil && polarAxis == nil, { $0.polar != nil }),
            ("newtonSchulzSteps", given.newtonSchulzSteps != nil, { $0.newtonSchulzSteps != nil }),
            ("newtonSchulzEpsilon", given.newtonSchulzEpsilon != nil, { $0.newtonSchulzEpsilon != nil }),
            ("safetyFactor", given.safetyFactor != nil, { $0.safetyFactor != nil }),
            ("coefficients", given.coefficients != nil, { $0.coefficients != nil }),
            ("momentum", given.momentum != 0 && grid.axis(.momentum) == nil, { $0.momentum != 0 }),
            ("nesterov", given.nesterov, { $0.nesterov }),
            ("beta1", given.beta1 != nil, { $0.beta1 != nil }),
            ("beta2", given.beta2 != nil, { $0.beta2 != nil }),
            ("adamEpsilon", given.adamEpsilon != nil, { $0.adamEpsilon != nil }),
            ("preconditionerEpsilon", given.preconditionerEpsilon != nil, { $0.preconditionerEpsilon != nil }),
        ]
        for (name, isGiven, isRead) in checks where isGiven && !optimizers.contains(where: isRead) {
            throw InputError("\(f(name)) is read by no cell of this sweep (its method and polar axes: \(methods.map(\.rawValue).joined(separator: ", "))\(polarAxis.map { "; polar " + $0.labels!.joined(separator: ", ") } ?? ""))")
        }
    }

    /// The model point of one cell: the base with the cell's axis values written over it.
    /// Unless `seed` is itself an axis, the seed is derived from the master seed and the
    /// cell index (`cellSeed`).
    func point(at cell: Int) -> ModelPoint {
        var point = base
        point.seed = cellSeed(master: base.seed, cell: cell)
        for (axis, value) in zip(grid.axes, grid.values(at: cell)) { point.set(axis, value) }
        for d in derivedParameters { point.set(d.parameter, d.value(at: point)) }
        return point
    }

    /// Refuses a cell whose derived options leave their domain (non-finite, or what the
    /// option itself refuses), with the option's message.
    func checkDerived(at cell: Int) throws {
        var point = base
        for (axis, value) in zip(grid.axes, grid.values(at: cell)) { point.set(axis, value) }
        for d in derivedParameters {
            let v = d.value(at: point)
            guard v.isFinite, abs(v) < 9_007_199_254_740_992 else {
                throw InputError("--derive '\(d.name)=\(d.expression)' gives \(Table.format(v))")
            }
            do { try d.parameter.validate(v) } catch let error as InputError {
                throw error.prefixed("--derive '\(d.name)=\(d.expression)': ")
            }
            point.set(d.parameter, v)
        }
    }

    /// The cells this configuration runs, in index order.
    public var cells: [Int] {
        guard let shard else { return Array(0..<grid.count) }
        return Array(stride(from: shard.index - 1, to: grid.count, by: shard.count))
    }

    /// cells.csv's header. The seed column is left out when seed is itself an axis (the
    /// axis column already holds each cell's seed).
    public var columns: [String] {
        ["cell", "cell_id"] + grid.names + derivedParameters.map(\.name) + metricColumns + (hasSeedColumn ? ["seed"] : [])
            + ["status", "diverged_step"]
    }

    /// The metric columns of cells.csv (`Metric.columns`: with `--seeds S > 1`, a mean and
    /// quantiles per metric).
    var metricColumns: [String] { Metric.columns(metrics, seeds: base.seeds) }

    var hasSeedColumn: Bool { grid.axis(.seed) == nil }

    /// Human-readable names of the fields where `other` differs (empty when equal).
    func differences(from other: SweepConfiguration, ignoringShard: Bool = false) -> [String] {
        var out = [String]()
        if mode != other.mode { out.append("mode \(other.mode.rawValue) vs \(mode.rawValue)") }
        if metrics != other.metrics {
            out.append("metrics \(other.metrics.map(\.rawValue).joined(separator: ",")) vs \(metrics.map(\.rawValue).joined(separator: ","))")
        }
        if grid != other.grid {
            out.append("grid \(other.grid.axes.map(\.spec).joined(separator: " ")) vs \(grid.axes.map(\.spec).joined(separator: " "))")
        }
        if derivedParameters != other.derivedParameters {
            func list(_ c: SweepConfiguration) -> String {
                c.derivedParameters.isEmpty ? "none" : c.derivedParameters.map { "\($0.name)=\($0.expression)" }.joined(separator: " ")
            }
            out.append("derived \(list(other)) vs \(list(self))")
        }
        if escapeRatio != other.escapeRatio { out.append("ratio \(other.escapeRatio) vs \(escapeRatio)") }
        if base != other.base { out.append("model options (\(baseDifferences(other.base).joined(separator: ", ")))") }
        if !ignoringShard, shard != other.shard {
            out.append("shard \(other.shard.map(\.description) ?? "none") vs \(shard.map(\.description) ?? "none")")
        }
        if !SpecgdVersion.computeTheSameNumbers(version, other.version) {
            out.append("specgd \(other.version) vs \(version), which compute different numbers")
        }
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
package enum SweepRecord {
    package static let fileName = "sweep.json"
    package static let cellsFileName = "cells.csv"

    /// The record's summary: how many cells the grid has and how many this run computed.
    package struct Summary: Codable, Sendable {
        package var totalCells: Int
        package var cellsInThisRun: Int
    }

    package static func write(_ configuration: SweepConfiguration, to directory: String,
                             command: [String], replayOf: ReplaySource? = nil) throws {
        let record = RunRecord(kind: "sweep", configuration: configuration,
                               summary: Summary(totalCells: configuration.grid.count,
                                                cellsInThisRun: configuration.cells.count),
                               command: command, replayOf: replayOf)
        try record.write(to: path(directory))
    }

    /// Records in DIR/sweep.json how this run ended: `completed` once every cell of the run (or
    /// shard) is in cells.csv, `interrupted` (SIGINT/SIGTERM, `stopDetail`) when it stopped
    /// early, `lastStep` the cells in cells.csv then. A later `--resume` sets it again.
    package static func recordOutcome(_ outcome: RunOutcome, in directory: String) throws {
        let file = path(directory)
        let record = try RunRecord<SweepConfiguration, Summary>.read(file: file)
        try record.with(outcome: outcome).write(to: file)
    }

    package static func read(from directory: String) throws -> SweepConfiguration {
        let file = path(directory)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw InputError("\(file) not found: \(directory) is not a sweep directory")
        }
        return try read(data, file: file)
    }

    /// The configuration in a sweep record's bytes (`file` names it in errors).
    package static func read(_ data: Data, file: String) throws -> SweepConfiguration {
        // The one record reader (strict JSON; a record of an earlier release in today's spelling).
        let configuration = try RunRecord<SweepConfiguration, Summary>.read(data, file: file).configuration
        let data = RecordMigration.migrate(data)
        // A key the configuration does not know (a hand edit, a typo) is refused, not ignored.
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let stored = object["configuration"],
           let storedData = try? JSONSerialization.data(withJSONObject: stored),
           let key = JSONPath.firstIgnoredKey(in: storedData, reencoded: try JSONOutput.encode(configuration)) {
            throw InputError("\(file): unknown key 'configuration.\(key)'")
        }
        return configuration
    }

    package static func path(_ directory: String) -> String { directory + "/" + fileName }
    package static func cellsPath(_ directory: String) -> String { directory + "/" + cellsFileName }
}
