import Foundation

/// The JSON sidecar every output carries: which tool and version wrote it, the exact
/// command line, the full configuration, the summary figures and the machine (processor, BLAS
/// kernel and threads, GSL, commit) whose last bits they are. Enough to rerun it.
public struct RunRecord<Configuration: Encodable & Sendable, Summary: Encodable & Sendable>: Encodable, Sendable {
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
    public let status: RunStatus?
    public let lastStep: Int?
    public let stopDetail: String?
    /// Records written by `specgd replay`: the record replayed (absent from every other record).
    public let replayOf: ReplaySource?
    /// The PNG and PDF files converted from the output's SVG figures (`--format`), by name in the
    /// record's folder; absent when only SVGs were written.
    public let convertedFigures: [String]?

    public init(kind: String, configuration: Configuration, summary: Summary, outcome: RunOutcome? = nil,
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

    public func write(to path: String) throws {
        try AtomicFile.write(try JSONOutput.encode(self), to: path)
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

/// Reading a record back (RunRecord itself is Encodable only): first the `kind` and
/// `createdAt` with `RecordHeader`, then the configuration of that kind with `StoredRecord`.
public struct RecordHeader: Decodable, Sendable {
    public var kind: String
    public var createdAt: String
}

/// The configuration (and the summary, when its type is given) of a record whose kind is known.
public struct StoredRecord<Configuration: Decodable, Summary: Decodable>: Decodable {
    public var configuration: Configuration
    public var summary: Summary
}

/// A summary nobody reads back.
public struct IgnoredSummary: Decodable, Sendable {
    public init(from decoder: Decoder) throws {}
}

/// One JSON style for the whole toolkit: sorted keys, pretty, and non-finite numbers as the
/// strings "NaN" / "Infinity" / "-Infinity" (JSON has no literal for them).
public enum JSONOutput {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        var data = try encoder().encode(value)
        data.append(0x0A)
        return data
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }
}

/// `PATH.csv` → `PATH.json`: where a table's sidecar lives.
public func sidecarPath(for csvPath: String) -> String {
    if csvPath.hasSuffix(".csv") { return String(csvPath.dropLast(4)) + ".json" }
    return csvPath + ".json"
}
