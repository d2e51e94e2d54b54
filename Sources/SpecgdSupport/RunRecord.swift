import Foundation

/// The JSON sidecar every output carries: which tool and version wrote it, the exact
/// command line, the full configuration, the summary figures and the machine (processor, BLAS
/// kernel and threads, GSL, commit) whose last bits they are. Enough to rerun it.
///
/// The one record envelope: every writer encodes it and every reader (replay, report,
/// export-notebook, merge, plot-phase) decodes it with `read`, typed by the configuration and
/// summary types of its `kind` (the writer's own types), so there is one schema.
public struct RunRecord<Configuration: Sendable, Summary: Sendable>: Sendable {
    public let tool: String
    public let version: String
    public let command: String
    public let kind: String
    public let createdAt: String
    public let machine: MachineDescription
    public let configuration: Configuration
    public let summary: Summary
    /// Runs (theory, simulate, compare): completed | interrupted | diverged, the last step and
    /// why it stopped early; absent from records that are not runs (figures, sweeps).
    public private(set) var status: RunStatus?
    public private(set) var lastStep: Int?
    public private(set) var stopDetail: String?
    /// Records written by `specgd replay`: the record replayed (absent from every other record).
    public let replayOf: ReplaySource?
    /// The PNG and PDF files converted from the output's SVG figures (`--format`), by name in the
    /// record's folder; absent when only SVGs were written.
    public let convertedFigures: [String]?

    package init(kind: String, configuration: Configuration, summary: Summary, outcome: RunOutcome? = nil,
                command: [String], replayOf: ReplaySource? = nil,
                convertedFigures: [String] = [], machine: MachineDescription) {
        self.tool = "specgd"
        self.version = SpecgdVersion.string
        self.command = Invocation.shellQuoted(command)
        self.kind = kind
        self.createdAt = ISO8601DateFormatter().string(from: Date())
        self.machine = machine
        self.configuration = configuration
        self.summary = summary
        status = outcome?.status
        lastStep = outcome?.lastStep
        stopDetail = outcome?.detail
        self.replayOf = replayOf
        self.convertedFigures = convertedFigures.isEmpty ? nil : convertedFigures
    }

    /// The same record saying how the run ended (a sweep's record, written at its start, gets
    /// its status when the run stops; everything else, createdAt and command included, stays).
    public func with(outcome: RunOutcome) -> RunRecord {
        var record = self
        record.status = outcome.status
        record.lastStep = outcome.lastStep
        record.stopDetail = outcome.detail
        return record
    }
}

extension RunRecord: Encodable where Configuration: Encodable, Summary: Encodable {
    public func write(to path: String) throws {
        try AtomicFile.write(try JSONOutput.encode(self), to: path)
    }
}

extension RunRecord: Decodable where Configuration: Decodable, Summary: Decodable {
    /// The record in `data`, checked as strict JSON (`StrictJSON`: no key twice, no number out of
    /// range) and brought to today's spelling (`RecordMigration`); any failure is one InputError
    /// line naming `file` and the field ("… is not a readable run record: …").
    public static func read(_ data: Data, file: String) throws -> RunRecord {
        do {
            try StrictJSON.check(data)
            return try JSONOutput.decoder().decode(RunRecord.self, from: RecordMigration.migrate(data))
        } catch let error as InputError {
            throw error.prefixed("\(file): ")
        } catch let error as DecodingError {
            throw InputError("\(file) is not a readable run record: \(RecordReading.describe(error, data: data))")
        } catch {
            throw InputError("\(file) is not a readable run record: \(error.localizedDescription)")
        }
    }

    /// The record at `path` (missing or unreadable: one line naming it).
    public static func read(file path: String) throws -> RunRecord {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError("\(path) not found or not readable") }
        return try read(data, file: path)
    }

    /// The kind when it is one of the toolkit's (nil: a record of a kind this version does not know).
    public var recordKind: RecordKind? { RecordKind(rawValue: kind) }
}

/// The kinds of record the toolkit writes (each record's `kind`), with the configuration and
/// summary types its writer encodes: `RunRecord<that configuration, that summary>.read`.
public enum RecordKind: String, Sendable, Codable, CaseIterable {
    case theory, simulate, compare
    case checkEscape = "check-escape"
    case figures, sweep, run
    case plotPhase = "plot-phase"
}

/// A record's envelope alone (kind, createdAt, machine, status…): its configuration and summary
/// left unread, for a reader that first needs the kind.
public typealias RecordHeader = RunRecord<Unread, Unread>

/// A configuration or summary nobody reads back (present in the record, not decoded).
public struct Unread: Codable, Sendable {
    public init(from decoder: Decoder) throws {}
    public func encode(to encoder: Encoder) throws {}
}

/// One wording of a decoding failure for every record reader.
enum RecordReading {
    static func describe(_ error: DecodingError, data: Data) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            let at = JSONPath.describe(context.codingPath + [key])
            return "missing field '\(at)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field '\(JSONPath.describe(context.codingPath))': \(context.debugDescription)"
        case .dataCorrupted(let context):
            let at = JSONPath.describe(context.codingPath)
            let what = at.isEmpty ? (StrictJSON.explainDecodingFailure(data) ?? "not valid JSON")
                : (context.underlyingError.map { _ in "not valid JSON" } ?? context.debugDescription)
            return (at.isEmpty ? "" : "field '\(at)': ") + what
        @unknown default:
            return "\(error)"
        }
    }
}

/// `replayOf` in a replayed run's record: the original record's path (as given to `specgd
/// replay`) and its `createdAt`.
public struct ReplaySource: Codable, Sendable, Equatable {
    public var path: String
    public var createdAt: String

    public init(path: String, createdAt: String) {
        self.path = path
        self.createdAt = createdAt
    }
}

/// One JSON style for the whole toolkit: sorted keys, pretty, and non-finite numbers as the
/// strings "NaN" / "Infinity" / "-Infinity" (JSON has no literal for them).
package enum JSONOutput {
    package static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    package static func encode<T: Encodable>(_ value: T) throws -> Data {
        var data = try encoder().encode(value)
        data.append(0x0A)
        return data
    }

    package static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }
}

/// `PATH.csv` → `PATH.json`: where a table's sidecar lives.
package func sidecarPath(for csvPath: String) -> String {
    if csvPath.hasSuffix(".csv") { return String(csvPath.dropLast(4)) + ".json" }
    return csvPath + ".json"
}
