import ArgumentParser
import Foundation
import NumericKit
import Simulation
import SpecgdSupport

/// The options of `specgd simulate` beyond the shared model options: network width, data,
/// initialisation, spectral-update details, seeds, covariance family and output.
struct SimulationOptions: ParsableArguments {
    @Option(help: "Network width m (columns of W ∈ R^{d×m}; default: m = d).")
    var width: Int?

    @Option(name: .customLong("init"), help: "Initialisation: identity (W₀ = αI, needs m = d), gaussian (entries N(0, α²/d)) or orthogonal (α × random orthonormal columns).")
    var initialization: Initialization = .identity

    @Option(help: "Train on a fixed data set of N samples x ~ N(0, Σ) (default: exact population gradient).")
    var samples: Int?

    @Flag(help: "Train online: a fresh batch of --batch samples at every step.")
    var online = false

    @Option(help: "Batch size B for --online.")
    var batch: Int = 64

    @Option(help: "SpecGD polar factor: svd (exact, LAPACK gesdd), gram (exact via GᵀG = VS²Vᵀ, dsyevd; faster, error ≈ ε·κ²; gesdd when κ > 1e5), ns3 (cubic Newton–Schulz) or ns5 (Muon's quintic Newton–Schulz).")
    var polar: PolarMethod = .svd

    @Option(name: .customLong("ns-steps"), help: "Newton–Schulz iterations for --polar ns3/ns5.")
    var nsSteps: Int = 5

    @Option(help: "Heavy-ball momentum β in [0, 1): B ← βB + ∇L; the update uses B (SpecGD: polar(B), Muon-style).")
    var momentum: Double = 0

    @Flag(help: "Nesterov momentum: the update uses ∇L + βB instead of B.")
    var nesterov = false

    @Option(help: "Number of independent repetitions S (each with its own W₀ and data).")
    var seeds: Int = 1

    @Option(help: "Master seed X (repetition r uses stream r + 1 of xoshiro256** seeded by X).")
    var seed: UInt64 = 0

    @Option(help: "OpenBLAS threads for this run (set once at start; outputs are bit-identical for a fixed count, recorded in the machine block).")
    var threads: Int = 1

    @Option(help: "Covariance family: spiked (Σ = I + Σ_k λ_k e_{k+1}e_{k+1}ᵀ), power-law (σ_i ∝ i^(−β), normalised to mean 1) or diagonal (--spectrum FILE).")
    var covariance: CovarianceKind = .spiked

    @Option(help: "Comma-separated spike strengths λ₁,λ₂,… on coordinates 2,3,… (default: --lambda).")
    var spikes: String?

    @Option(help: "Power-law exponent β for --covariance power-law.")
    var beta: Double = 1

    @Option(help: "File with the d eigenvalues σ_1…σ_d of Σ (whitespace/comma separated) for --covariance diagonal.")
    var spectrum: String?

    @Option(help: "Teacher θ*: eigen (θ* = e₁, an eigenvector of Σ) or random (a random unit vector from the master seed: misaligned with Σ's eigenbasis).")
    var teacher: TeacherKind = .eigen

    @Flag(inversion: .prefixedNo, help: "Record seconds since start in the wall_time column (--no-wall-time writes 0, making repeated runs byte-identical).")
    var wallTime = true

    @Option(help: "Output CSV path. Writes PATH.csv (mean over seeds, with _std/_q10/_q50/_q90 columns when --seeds > 1), PATH.seeds.csv (per seed, when --seeds > 1) and the JSON sidecar PATH.json.")
    var output: String?

    @Flag(help: "Instead of a run: time --steps optimiser steps (gradient, update) and a bare LAPACK dgesdd on the same gradient, and print the JSON profile to stdout.")
    var profile = false

    func validate() throws {
        if let width { try Validate.atLeast(width, 1, "width") }
        if let samples { try Validate.atLeast(samples, 1, "samples") }
        if online, samples != nil { throw InputError("--online and --samples are exclusive") }
        try Validate.atLeast(batch, 1, "batch")
        try Validate.atLeast(nsSteps, 1, "ns-steps")
        try Validate.nonNegative(momentum, "momentum")
        try Validate.atLeast(seeds, 1, "seeds")
        try Validate.atLeast(threads, 1, "threads")
        try Validate.finite(beta, "beta")
        if !profile {
            guard let output, !output.isEmpty else { throw InputError("--output PATH.csv is required") }
        }
    }

    func spikeList() throws -> [Double]? {
        guard let spikes else { return nil }
        return try spikes.split(separator: ",").map { field in
            guard let value = Double(field.trimmingCharacters(in: .whitespaces)) else {
                throw InputError("--spikes: '\(field)' is not a number")
            }
            return value
        }
    }

    func spectrumValues() throws -> [Double]? {
        guard let spectrum else { return nil }
        guard let text = try? String(contentsOfFile: spectrum, encoding: .utf8) else {
            throw InputError("cannot read spectrum file \(spectrum)")
        }
        let fields = text.split { $0 == "," || $0.isWhitespace }
        return try fields.map { field in
            guard let value = Double(field) else { throw InputError("spectrum file \(spectrum): '\(field)' is not a number") }
            return value
        }
    }
}

extension Initialization: ExpressibleByArgument {}
extension PolarMethod: ExpressibleByArgument {}
extension CovarianceKind: ExpressibleByArgument {}
extension TeacherKind: ExpressibleByArgument {}
