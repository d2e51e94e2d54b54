import ArgumentParser
import Model
import Simulation
import SpecgdSupport

/// `--memory-limit`: shared by every command that allocates in proportion to its options
/// (theory, simulate, compare, check-escape, sweep). A run whose estimated peak memory
/// (`memoryEstimate` of its library configuration) exceeds the limit is refused before it
/// allocates anything.
struct ResourceOptions: ParsableArguments {
    @Option(name: .customLong("memory-limit"), parsing: .unconditional,
            help: ArgumentHelp("Refuse runs whose estimated memory exceeds this many gigabytes (default: half of the physical memory).", valueName: "GB"))
    var memoryLimit: Double?

    func validate() throws {
        if let memoryLimit { try Validate.positive(memoryLimit, "memory-limit") }
    }

    var limit: MemoryLimit { .resolve(gigabytes: memoryLimit) }

    /// Refuses, before any is read, an input file too large to read within the limit.
    func checkInputs(_ files: [(what: String, path: String)]) throws {
        try Self.checkInputs(files, limit: limit)
    }

    /// The same for a command without --memory-limit (figures): the default limit.
    static func checkInputs(_ files: [(what: String, path: String)], limit: MemoryLimit = .resolve(gigabytes: nil)) throws {
        for file in files {
            try limit.checkInput(file.path, option: file.what.replacingOccurrences(of: "the ", with: "").replacingOccurrences(of: " file", with: ""))
        }
    }

    /// Refuses `estimate` (one line naming it and the limit) when it exceeds the limit.
    func check(_ estimate: MemoryEstimate, for what: String) throws {
        try limit.check(estimate, for: what)
    }
}

/// Where the gradient comes from, from `--samples N`, `--online` and `--batch B` — one rule for
/// `simulate` and `compare`: `--batch B` means online training (fresh batches of B samples at
/// every step) with or without `--online`; `--online` alone uses batches of 64; `--samples`
/// (one fixed data set) excludes both.
enum TrainingChoice {
    static let defaultBatch = 64

    static func resolve(samples: Int?, online: Bool, batch: Int?) throws -> TrainingData {
        if let samples {
            if online || batch != nil {
                throw InputError("--samples (one fixed data set) and --online/--batch (fresh batches every step) are exclusive")
            }
            return .samples(samples)
        }
        if online || batch != nil { return .online(batch: batch ?? defaultBatch) }
        return .population
    }
}
