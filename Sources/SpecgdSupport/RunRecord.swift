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

    public init(kind: String, configuration: Configuration, summary: Summary, outcome: RunOutcome? = nil,
                command: [String] = Invocation.arguments) {
        self.tool = "specgd"
        self.version = SpecgdVersion.string
        self.command = Invocation.shellQuoted(command)
        self.kind = kind
        self.createdAt = ISO8601DateFormatter().string(from: Date())
        self.machine = .current
        self.configuration = configuration
        self.summary = summary
        status = outcome?.status
        lastStep = outcome?.lastStep
        stopDetail = outcome?.detail
    }

    public func write(to path: String) throws {
        try AtomicFile.write(try JSONOutput.encode(self), to: path)
    }
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
