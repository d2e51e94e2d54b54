import ArgumentParser
import Foundation
import NumericKit
import Model
import Simulation
import SpecgdSupport

/// How W₀ is drawn: the dense runs' (simulate, compare, check-escape, sweep) and theory's
/// `--init`, which starts the map from a drawn W₀'s projected overlaps (docs/model.md §3). One
/// group, so every command says the same thing by --width, --init and --seed.
struct DrawOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Network width m (columns of W ∈ R^{d×m}; default: m = d).")
    var width: Int?

    @Option(name: .customLong("init"), help: "Initialisation W₀ (α sets its scale; identity is the theory's start αI; default: identity, check-escape: gaussian; theory: start the map from the projected overlaps of the drawn W₀).")
    var initialization: Initialization?

    @Option(parsing: .unconditional, help: "Master seed X (repetition r uses stream r + 1 of xoshiro256** seeded by X; sweep: cell k's seed is derived from X and k). Default: 0.")
    var seed: UInt64?
}

/// The dense-run options of every command that trains a dense W (`simulate`, `compare`,
/// `check-escape`, `sweep --mode simulate`): network width, initialisation, teacher, data and the
/// seeds (the optimizer is `OptimizerOptions`'). One definition, so the same flag means the same
/// thing in each (the covariance is `CovarianceOptions`', the shared experiment `ModelOptions`').
/// Every option is optional, so a command can tell what was given (check-escape refuses them
/// with --no-simulation, sweep in theory mode) and keep its own defaults (check-escape: a
/// gaussian start and 3 seeds); the defaults below are simulate's and compare's.
struct DenseOptions: ParsableArguments {
    /// --width, --init, --seed: the W₀ draw, shared with theory's --init.
    @OptionGroup var draw: DrawOptions
    var width: Int? { draw.width }
    var initialization: Initialization? { draw.initialization }
    var seed: UInt64? { draw.seed }

    @Option(help: "Teacher θ* (default: eigen).")
    var teacher: TeacherKind?

    @Option(parsing: .unconditional, help: "Train on a fixed data set of N samples x ~ N(0, Σ) (default: exact population gradient).")
    var samples: Int?

    @Flag(help: "Train online: a fresh batch of samples at every step (batch size --batch, default 64).")
    var online = false

    @Option(parsing: .unconditional, help: "Batch size B of online training: a fresh batch of B samples at every step (implies --online; exclusive with --samples).")
    var batch: Int?

    @Option(parsing: .unconditional, help: "Number of independent repetitions S (each with its own W₀ and data; with S > 1 the outputs add _std and q10/q50/q90 columns; sweep: per cell, every metric gets _mean, _q10, _q50, _q90). Default: 1; check-escape: 3.")
    var seeds: Int?


    @Flag(name: .customLong("update-spectrum"), help: "Record the smallest and largest singular value of each recorded step's update (columns update_sigma_min, update_sigma_max; one SVD per recorded step).")
    var updateSpectrum = false

    /// --samples / --online / --batch (see `TrainingChoice`).
    func training() throws -> TrainingData {
        try TrainingChoice.resolve(samples: samples, online: online, batch: batch)
    }

    func validate() throws {
        try OptionNames.translating {
            for (value, name) in [(width, "width"), (samples, "samples"), (batch, "batch"), (seeds, "seeds")] {
                if let value { try Validate.atLeast(value, 1, name) }
            }
            _ = try training()
        }
    }

    /// The options given among those a command's other mode does not read (the flags, in order).
    func given(except kept: Set<String> = []) -> [String] {
        [("--width", width != nil), ("--init", initialization != nil), ("--teacher", teacher != nil),
         ("--samples", samples != nil), ("--online", online), ("--batch", batch != nil),
         ("--seeds", seeds != nil), ("--seed", seed != nil), ("--update-spectrum", updateSpectrum)]
            .filter { $0.1 && !kept.contains($0.0) }.map(\.0)
    }

    /// The dense configuration of `experiment` with these options, checked by the library.
    func configuration(_ experiment: Experiment) throws -> SimulationConfiguration {
        var c = SimulationConfiguration(experiment)
        c.width = width
        c.initialization = initialization ?? .identity
        c.teacher = teacher ?? .eigen
        c.training = try training()
        c.seeds = seeds ?? 1
        c.seed = seed ?? 0
        c.updateSpectrum = updateSpectrum
        try OptionNames.translating { try c.validate() }
        return c
    }
}

/// What only `specgd simulate` has: BLAS threads, the wall-time column, the output path and
/// the step profile.
struct SimulationOptions: ParsableArguments {
    @Option(name: .customLong("blas-threads"), parsing: .unconditional, help: "OpenBLAS threads inside this run (set once at start; outputs are bit-identical for a fixed count, recorded in the machine block). Not workers: see --jobs.")
    var blasThreadsOption: Int = 1

    /// `--threads`, the old spelling of --blas-threads (deprecated, hidden).
    @Option(name: .customLong("threads"), parsing: .unconditional, help: .hidden)
    var threadsAlias: Int?

    /// --blas-threads (or the deprecated --threads).
    var threads: Int { threadsAlias ?? blasThreadsOption }

    @Flag(inversion: .prefixedNo, help: "Record seconds since start in the wall_time column (--no-wall-time writes 0, making repeated runs byte-identical).")
    var wallTime = true

    @Option(help: "Output CSV path. Writes PATH.csv (mean over seeds, with _std/_q10/_q50/_q90 columns when --seeds > 1), PATH.seeds.csv (per seed, when --seeds > 1) and the JSON sidecar PATH.json.")
    var output: String?

    @Flag(help: "Instead of a run: time --steps optimiser steps (gradient, update) and a bare LAPACK dgesdd on the same gradient, and print the JSON profile to stdout.")
    var profile = false

    func validate() throws {
        try Validate.atLeast(threads, 1, threadsAlias == nil ? "--blas-threads" : "--threads")
        if !profile {
            guard let output else { throw InputError("--output PATH.csv is required") }
            try OutputPath.checkFile(output)
        }
    }
}
