import ArgumentParser
import NumericKit
import SpecgdSupport
import Model
import Theory

/// The optimizer's options (docs/model.md §6), one group for every command that runs one
/// (`theory`, `simulate`, `compare`): the polar rule and its Newton–Schulz schedule, momentum,
/// weight decay, the learning-rate scale and Adam's constants. `--method` is `ModelOptions`'.
/// An option the method would ignore is refused by `Optimizer.validate()` in one line.
struct OptimizerOptions: ParsableArguments {
    @Option(help: "SpecGD's polar factor (default: svd).")
    var polar: PolarMethod?

    @Option(name: .customLong("ns-steps"), parsing: .unconditional, help: "Newton–Schulz steps K for --polar ns3/ns5/polar-express (default: 5; custom: its rows).")
    var nsSteps: Int?

    @Option(name: .customLong("ns-eps"), parsing: .unconditional, help: "ε in the Newton–Schulz normalisation U/(‖U‖_F + ε) (default: 1e-7, as Muon).")
    var nsEpsilon: Double?

    @Option(name: .customLong("ns-safety"), parsing: .unconditional, help: "Polar Express's safety factor f: every step but the last divided by (f, f³, f⁵), normalised by f‖U‖_F + ε (default: 1.01).")
    var nsSafety: Double?

    @Option(name: .customLong("ns-coefficients"), help: ArgumentHelp("File of Newton–Schulz coefficients for --polar custom: one 'a b c' row per step (the last row repeats past the file).", valueName: "file"))
    var nsCoefficients: String?

    @Option(parsing: .unconditional, help: "Heavy-ball momentum β in [0, 1): B ← βB + ∇L, the update from B (gd, specgd, signgd).")
    var momentum: Double = 0

    @Flag(help: "Nesterov momentum: the update from ∇L + βB instead of B.")
    var nesterov = false

    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "Decoupled weight decay ω ≥ 0: W ← (1 − ηω)W − η·update (every method; Adam becomes AdamW).")
    var weightDecay: Double = 0

    @Option(name: .customLong("lr-scale"), help: "A fixed factor on the learning rate.")
    var learningRateScale: LearningRateScale = .none

    @Option(parsing: .unconditional, help: ArgumentHelp(OptimizerOptions.readers("β₁", adam: Optimizer.defaultBeta1) { $0.reads.beta1 }))
    var beta1: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp(OptimizerOptions.readers("β₂", adam: Optimizer.defaultBeta2) { $0.reads.beta2 }))
    var beta2: Double?

    @Option(name: .customLong("adam-eps"), parsing: .unconditional, help: "Adam's ε in m̂/(√v̂ + ε) (default: 1e-8).")
    var adamEpsilon: Double?

    @Option(name: .customLong("precond-eps"), parsing: .unconditional, help: ArgumentHelp(OptimizerOptions.readers("A preconditioner's start εI", adam: nil) { $0.reads.preconditionerEpsilon }))
    var preconditionerEpsilon: Double?

    /// "Adam's β₁ (default: 0.9); lion's (default: 0.9)": who reads an option, from the registry.
    static func readers(_ what: String, adam: Double?, _ value: (any UpdateRule.Type) -> Double?) -> String {
        var parts = adam.map { ["Adam's \(what) (default: \(Table.format($0)))"] } ?? []
        for rule in UpdateRules.all { if let d = value(rule) { parts.append("\(rule.name)'s (default: \(Table.format(d)))") } }
        if adam == nil { parts[0] = "\(what): " + parts[0] }
        return parts.joined(separator: "; ") + "."
    }

    /// The optimizer of `method` with these options (reads --ns-coefficients), checked by the
    /// library unless `validate` is false (a sweep checks each cell's, `SweepConfiguration.checkOptimizer`).
    func optimizer(_ method: Method, validate: Bool = true) throws -> Optimizer {
        let optimizer = Optimizer(
            method: method, polar: polar, newtonSchulzSteps: nsSteps, newtonSchulzEpsilon: nsEpsilon,
            safetyFactor: nsSafety, coefficients: try nsCoefficients.map(NewtonSchulzSchedule.readRows(file:)),
            momentum: momentum, nesterov: nesterov, weightDecay: weightDecay, learningRateScale: learningRateScale,
            beta1: beta1, beta2: beta2, adamEpsilon: adamEpsilon, preconditionerEpsilon: preconditionerEpsilon)
        if validate { try OptionNames.translating { try optimizer.validate() } }
        return optimizer
    }
}
