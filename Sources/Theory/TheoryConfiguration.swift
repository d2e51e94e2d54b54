import Foundation
import Model
import NumericKit
import SpecgdSupport

/// What is integrated.
public enum TheoryDynamics: String, Codable, Sendable, CaseIterable {
    /// The exact discrete map (docs/model.md §3).
    case map
    /// The continuous-time flow (docs/model.md §4): t = η̃k for GD, t = ηk for SpecGD.
    case flow
    /// The d → ∞ map over (a, b, q) (spiked covariance only).
    case largeD = "large-d"
}

/// How the SpecGD flow treats the discontinuous sign.
public enum SwitchingRule: String, Codable, Sendable, CaseIterable {
    /// sign(x) ≈ x/√(x² + ε²).
    case smoothed
    /// Event-located switching with Filippov sliding (see `FilippovSignFlow`).
    case filippov
    /// Filippov as the main columns plus the smoothed solution in `*_smoothed` columns.
    case both
}

/// Options of the continuous-time flows.
public struct FlowConfiguration: Codable, Sendable, Equatable {
    public var stepper: ODEStepper = .rk8pd
    /// End time; nil → steps · lr (the time the discrete run reaches).
    public var tEnd: Double?
    /// Output spacing in time; nil → every · lr.
    public var dt: Double?
    public var absoluteTolerance: Double = 1e-10
    public var relativeTolerance: Double = 1e-10
    public var switching: SwitchingRule = .smoothed
    public var epsilon: Double = 1e-3
    /// Estimate the global error: solve again with both tolerances 100× tighter and report the
    /// largest difference of a, b, c and the loss (`FlowErrorEstimate`); nil/false: one solve.
    public var estimateError: Bool?

    public init(stepper: ODEStepper = .rk8pd, tEnd: Double? = nil, dt: Double? = nil,
                absoluteTolerance: Double = 1e-10, relativeTolerance: Double = 1e-10,
                switching: SwitchingRule = .smoothed, epsilon: Double = 1e-3) {
        self.stepper = stepper
        self.tEnd = tEnd
        self.dt = dt
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
        self.switching = switching
        self.epsilon = epsilon
    }
}

/// Everything that defines one `specgd theory` run: the shared `Experiment` (docs/model.md §1–§3;
/// its fields read as this configuration's: `configuration.dimension`) plus what only the theory
/// has. Recorded verbatim in the JSON sidecar, the experiment's fields at the top level.
/// Comparison and Sweep build one of these and call `runTheory`.
@dynamicMemberLookup
public struct TheoryConfiguration: ExperimentConfiguration, Codable, Sendable, Equatable {
    public var experiment = Experiment()
    /// The groups of a custom model.
    public var groups: [Group]?
    /// Where custom groups were read from (informational).
    public var configPath: String?
    public var dynamics: TheoryDynamics = .map
    public var flow = FlowConfiguration()
    /// Where the map and the flows start (nil: W₀ = αI, every group at α; docs/model.md §3).
    public var start: TheoryStart?

    public init(method: Method = .gd, lambda: Double = 8, dimension: Int = 1000, alpha: Double = 1e-3,
                learningRate: Double = 1e-3, steps: Int = 10000, every: Int = 10, escapeThreshold: Double = 0.5) {
        experiment = Experiment(method: method, lambda: lambda, dimension: dimension, alpha: alpha,
                                learningRate: learningRate, steps: steps, every: every, escapeThreshold: escapeThreshold)
    }

    public init(_ experiment: Experiment) { self.experiment = experiment }

    /// The experiment's checks, then the theory's own, each a one-line InputError naming the field.
    public func validate() throws {
        try experiment.validate()
        // The grouped models need a bulk next to the signal (and the spike): d ≥ 3.
        if experiment.covariance != .custom { try Validate.atLeast(experiment.dimension, 3, "dimension") }
        if experiment.covariance == .custom && (groups ?? []).isEmpty {
            throw InputError("\(InputError.field("covariance")) custom needs \(InputError.field("groups")) (a JSON file of groups)")
        }
        if dynamics != .map && !experiment.optimizer.isPlain {
            throw InputError("the flows and the large-d map run plain gd and exact specgd; \(InputError.field("method")) \(experiment.method.rawValue) with these options runs on the exact map only (not the \(dynamics.rawValue) dynamics)")
        }
        if dynamics == .largeD && experiment.resolvedSpikes.count > 1 {
            throw InputError("the large-d map has one spike (got \(InputError.field("spikes")) with \(experiment.resolvedSpikes.count))")
        }
        if dynamics == .largeD && experiment.covariance != .spiked {
            throw InputError("the large-d map is defined for the spiked covariance only (got \(InputError.field("covariance")) \(experiment.covariance.rawValue))")
        }
        if let start {
            if dynamics == .largeD {
                throw InputError("the large-d map starts from a = b = α, q₀ = (d − 2)α²; \(InputError.field("start")) applies to the exact map and the flows")
            }
            let groups = try model().count
            guard start.coefficients.count == groups else {
                throw InputError("\(InputError.field("start")) has \(start.coefficients.count) coefficients for \(groups) groups")
            }
            for value in start.coefficients { try Validate.finite(value, "start coefficient") }
        }
        if dynamics == .flow {
            if let tEnd = flow.tEnd { try Validate.positive(tEnd, "tEnd") }
            if let dt = flow.dt { try Validate.positive(dt, "dt") }
            try Validate.nonNegative(flow.absoluteTolerance, "absoluteTolerance")
            try Validate.nonNegative(flow.relativeTolerance, "relativeTolerance")
            guard flow.absoluteTolerance > 0 || flow.relativeTolerance > 0 else {
                throw InputError("\(InputError.field("absoluteTolerance")) and \(InputError.field("relativeTolerance")) cannot both be 0")
            }
            try Validate.positive(flow.epsilon, "epsilon")
            // A flow reports time t as step t/η and keeps t_end/dt output times: both must stay
            // integers a Double holds exactly (≤ 2⁵³), or step numbers overflow and the memory
            // estimate is infinite.
            let f = InputError.field, most = 9_007_199_254_740_992.0
            guard flowEnd / self.learningRate <= most else {
                throw InputError("\(f("tEnd")) \(flowEnd) at \(f("learningRate")) \(self.learningRate) is more than "
                                 + "2^53 ≈ 9.0e15 steps (t_end/η)")
            }
            guard flowEnd / flowInterval <= most else {
                throw InputError("\(f(flow.tEnd == nil ? "steps" : "tEnd")) / \(f(flow.dt == nil ? "every" : "dt")) is more than "
                                 + "2^53 ≈ 9.0e15 output times")
            }
        }
    }

    /// A flow's end time and output interval: `tEnd` and `dt`, by default the map's steps × η and
    /// every × η.
    public var flowEnd: Double { flow.tEnd ?? Double(self.steps) * self.learningRate }
    public var flowInterval: Double { flow.dt ?? Double(self.every) * self.learningRate }

    /// The steps a run covers: a map's steps, a flow's t_end/η (its progress counts these).
    public var stepSpan: Int { dynamics == .flow ? Int((flowEnd / self.learningRate).rounded()) : self.steps }

    private enum CodingKeys: String, CodingKey, CaseIterable { case groups, configPath, dynamics, flow, start }

    /// Any subset of the fields (missing ones keep their defaults); an unknown key is refused by name.
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(Experiment.fieldNames + CodingKeys.allCases.map(\.rawValue))
        experiment = try Experiment(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        groups = try c.decodeIfPresent([Group].self, forKey: .groups)
        configPath = try c.decodeIfPresent(String.self, forKey: .configPath)
        dynamics = try c.decodeIfPresent(TheoryDynamics.self, forKey: .dynamics) ?? .map
        flow = try c.decodeIfPresent(FlowConfiguration.self, forKey: .flow) ?? FlowConfiguration()
        start = try c.decodeIfPresent(TheoryStart.self, forKey: .start)
    }

    public func encode(to encoder: Encoder) throws {
        try experiment.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(groups, forKey: .groups)
        try c.encodeIfPresent(configPath, forKey: .configPath)
        try c.encode(dynamics, forKey: .dynamics)
        try c.encode(flow, forKey: .flow)
        try c.encodeIfPresent(start, forKey: .start)
    }

    /// The grouped model this configuration describes.
    public func model() throws -> GroupedModel {
        switch self.covariance {
        case .spiked: return try .spiked(spikes: self.resolvedSpikes, dimension: self.dimension)
        case .powerLaw: return try .powerLaw(beta: self.beta, dimension: self.dimension, signalIndex: self.signalIndex)
        case .diagonal: return try .diagonal(eigenvalues: self.spectrum ?? [], signalIndex: self.signalIndex)
        case .custom: return try GroupedModel(groups: groups ?? [])
        }
    }
}
