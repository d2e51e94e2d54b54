import NumericKit
import SpecgdSupport

/// A fixed factor on the learning rate (docs/model.md §6), for a d×m weight matrix.
public enum LearningRateScale: String, Sendable, Codable, CaseIterable {
    /// η as given.
    case none
    /// Muon's √max(1, d/m) (1 on the square manifold m = d).
    case muon
    /// 0.2·√max(d, m): "match the update RMS of AdamW" (Moonlight's rule).
    case adamwRMS = "adamw-rms"

    /// The factor for W ∈ R^{d×m}.
    public func factor(rows d: Int, columns m: Int) -> Double {
        switch self {
        case .none: 1
        case .muon: max(1, Double(d) / Double(m)).squareRoot()
        case .adamwRMS: 0.2 * Double(max(d, m)).squareRoot()
        }
    }
}

/// One optimizer of the family of docs/model.md §6: the method and every option that refines
/// it. The same value means the same update in the exact grouped map and (as they learn the
/// options) the dense runs. Options a method does not read are nil / at their neutral value,
/// and `validate()` refuses one that is set for a method that would ignore it.
///
/// The update, per coordinate (on the manifold: per group), with η' = η·scale:
///   momentum (gd, specgd, signgd):  B ← βB + G, U = B (Nesterov: U = G + βB); none: U = G
///   direction u:  gd: U;  specgd: polar(U) (exact: sign U; Newton–Schulz: the schedule on
///                 U/(f‖U‖_F + ε));  signgd: sign U;
///                 adam: m ← β₁m + (1−β₁)G, v ← β₂v + (1−β₂)G², u = (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)
///   step:        s ← (1 − η'ω) s − η' u     (decoupled weight decay ω; with adam, AdamW)
public struct Optimizer: Sendable, Codable, Hashable {
    public var method: Method
    /// SpecGD's polar factor; nil = svd (exact). Set for another method, refused.
    public var polar: PolarMethod?
    /// Newton–Schulz steps K; nil = 5 (custom: one per row). Newton–Schulz rules only.
    public var newtonSchulzSteps: Int?
    /// ε in the normalisation U/(f‖U‖_F + ε); nil = 1e-7. Newton–Schulz rules only.
    public var newtonSchulzEpsilon: Double?
    /// Polar Express's safety factor f; nil = 1.01. polar-express only.
    public var safetyFactor: Double?
    /// The (a, b, c) rows of `polar: custom`, one per step (`NewtonSchulzSchedule.readRows`).
    public var coefficients: [NewtonSchulzStep]?
    /// Heavy-ball momentum β ∈ [0, 1) (0 = none): gd, specgd and signgd (Signum).
    public var momentum: Double
    /// Nesterov's variant U = G + βB (needs momentum > 0).
    public var nesterov: Bool
    /// Decoupled weight decay ω ≥ 0: s ← (1 − η'ω)s − η'u, every method.
    public var weightDecay: Double
    public var learningRateScale: LearningRateScale
    /// Adam's β₁, β₂, ε; nil = 0.9, 0.999, 1e-8. adam only.
    public var beta1: Double?
    public var beta2: Double?
    public var adamEpsilon: Double?
    /// A preconditioner's start εI, for a registered rule that reads it; nil = the rule's default.
    public var preconditionerEpsilon: Double?

    public static let defaultBeta1 = 0.9
    public static let defaultBeta2 = 0.999
    static let defaultAdamEpsilon = 1e-8

    public init(method: Method, polar: PolarMethod? = nil, newtonSchulzSteps: Int? = nil, newtonSchulzEpsilon: Double? = nil,
                safetyFactor: Double? = nil, coefficients: [NewtonSchulzStep]? = nil, momentum: Double = 0,
                nesterov: Bool = false, weightDecay: Double = 0, learningRateScale: LearningRateScale = .none,
                beta1: Double? = nil, beta2: Double? = nil, adamEpsilon: Double? = nil, preconditionerEpsilon: Double? = nil) {
        self.method = method
        self.polar = polar
        self.newtonSchulzSteps = newtonSchulzSteps
        self.newtonSchulzEpsilon = newtonSchulzEpsilon
        self.safetyFactor = safetyFactor
        self.coefficients = coefficients
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.learningRateScale = learningRateScale
        self.beta1 = beta1
        self.beta2 = beta2
        self.adamEpsilon = adamEpsilon
        self.preconditionerEpsilon = preconditionerEpsilon
    }

    /// Muon as practised: SpecGD with Muon's quintic (K = 5, ε = 1e-7) on the Nesterov
    /// momentum buffer, β = 0.95.
    public static let muon = Optimizer(method: .specgd, polar: .ns5, momentum: 0.95, nesterov: true)

    // MARK: resolved values

    /// The polar rule SpecGD uses (svd when none is given).
    public var polarRule: PolarMethod { polar ?? .svd }
    public var resolvedBeta1: Double { beta1 ?? Self.defaultBeta1 }
    public var resolvedBeta2: Double { beta2 ?? Self.defaultBeta2 }
    public var resolvedAdamEpsilon: Double { adamEpsilon ?? Self.defaultAdamEpsilon }

    /// The Newton–Schulz schedule of a SpecGD optimizer with a Newton–Schulz polar rule, else
    /// nil (exact polar, or another method).
    public var schedule: NewtonSchulzSchedule? {
        guard method == .specgd else { return nil }
        let rule = polarRule
        let k = newtonSchulzSteps ?? (rule == .custom ? coefficients?.count ?? 0 : NewtonSchulzSchedule.defaultSteps)
        return NewtonSchulzSchedule.of(rule, steps: k, epsilon: newtonSchulzEpsilon ?? NewtonSchulzSchedule.defaultEpsilon,
                                       safetyFactor: safetyFactor ?? NewtonSchulzSchedule.defaultSafetyFactor, rows: coefficients)
    }

    /// η' / η for a d×m weight matrix.
    public func learningRateFactor(rows d: Int, columns m: Int) -> Double { learningRateScale.factor(rows: d, columns: m) }

    /// True for plain GD or exact SpecGD (no momentum, no decay, no scale): the update of
    /// docs/model.md §2, which `DiscreteMap` runs.
    public var isPlain: Bool {
        (method == .gd || (method == .specgd && !polarRule.isNewtonSchulz))
            && momentum == 0 && !nesterov && weightDecay == 0 && learningRateScale == .none
    }

    /// These options for `method`, keeping only what it reads: one compare of GD against Muon
    /// gives GD the momentum, decay and scale, and SpecGD the polar rule too.
    package func restricted(to method: Method) -> Optimizer {
        var o = self
        o.method = method
        if method != .specgd { o.polar = nil; o.newtonSchulzSteps = nil; o.newtonSchulzEpsilon = nil; o.safetyFactor = nil; o.coefficients = nil }
        if let rule = method.updateRule {
            let reads = rule.reads
            if !reads.momentum { o.momentum = 0; o.nesterov = false }
            if reads.beta1 == nil { o.beta1 = nil }
            if reads.beta2 == nil { o.beta2 = nil }
            o.adamEpsilon = nil
            if reads.preconditionerEpsilon == nil { o.preconditionerEpsilon = nil }
            return o
        }
        o.preconditionerEpsilon = nil
        if method == .adam { o.momentum = 0; o.nesterov = false } else { o.beta1 = nil; o.beta2 = nil; o.adamEpsilon = nil }
        return o
    }

    // MARK: names

    /// True for exact SpecGD with nothing added (polar svd, given or not): the figure set's
    /// default second side, and the paper's.
    public var isExactSpecGD: Bool {
        self == Optimizer(method: .specgd) || self == Optimizer(method: .specgd, polar: .svd)
    }

    /// The optimizer in words, for legends and titles: the method, then every option that
    /// differs from its default — "GD", "SpecGD", "SpecGD (NS5, K = 5)", "Muon (NS5, K = 5,
    /// β = 0.95, Nesterov)", "SignGD (β = 0.9)", "AdamW (ω = 0.01)". SpecGD with Muon's quintic
    /// on a momentum buffer is named Muon, Adam with weight decay AdamW (their usual names).
    public var displayName: String { named(polarDetails + sharedDetails) }

    /// The name with the polar rule's details only ("SpecGD (NS5, K = 5)"): what tells two
    /// optimizers of one comparison apart when the rest (`sharedDetails`) is said once.
    package var polarName: String { named(polarDetails) }

    /// The polar rule in words when it is not the exact one (SpecGD only).
    package var polarDetails: [String] {
        guard method == .specgd, let polar, polar != .svd else { return [] }
        var details = [String]()
        let k = newtonSchulzSteps ?? (polar == .custom ? coefficients?.count ?? 0 : NewtonSchulzSchedule.defaultSteps)
        switch polar {
        case .svd: break
        case .gram: details.append("Gram polar")
        case .ns3: details.append("NS3, K = \(k)")
        case .ns5: details.append("NS5, K = \(k)")
        case .polarExpress: details.append("Polar Express, K = \(k)")
        case .custom: details.append("custom NS, K = \(k)")
        }
        if let e = newtonSchulzEpsilon, e != NewtonSchulzSchedule.defaultEpsilon { details.append("ε = \(Table.format(e))") }
        if let f = safetyFactor, f != NewtonSchulzSchedule.defaultSafetyFactor { details.append("f = \(Table.format(f))") }
        return details
    }

    /// Momentum, Adam's constants, weight decay and lr scale in words, where not the defaults.
    package var sharedDetails: [String] {
        var details = [String]()
        if momentum != 0 { details.append("β = \(Table.format(momentum))") }
        if nesterov { details.append("Nesterov") }
        if method == .adam {
            if let b = beta1, b != Self.defaultBeta1 { details.append("β₁ = \(Table.format(b))") }
            if let b = beta2, b != Self.defaultBeta2 { details.append("β₂ = \(Table.format(b))") }
            if let e = adamEpsilon, e != Self.defaultAdamEpsilon { details.append("ε = \(Table.format(e))") }
        }
        if let reads = method.updateRule?.reads {
            if let b = beta1, b != reads.beta1 { details.append("β₁ = \(Table.format(b))") }
            if let b = beta2, b != reads.beta2 { details.append("β₂ = \(Table.format(b))") }
            if let e = preconditionerEpsilon, e != reads.preconditionerEpsilon { details.append("ε = \(Table.format(e))") }
        }
        if weightDecay != 0 { details.append("ω = \(Table.format(weightDecay))") }
        if learningRateScale != .none { details.append("lr scale \(learningRateScale.rawValue)") }
        return details
    }

    /// The method's usual name (Muon for SpecGD with NS5 on a momentum buffer, AdamW for Adam
    /// with weight decay) with `details` in parentheses.
    private func named(_ details: [String]) -> String {
        let name: String
        switch method {
        case .specgd where polar == .ns5 && momentum != 0: name = "Muon"
        case .adam where weightDecay != 0: name = "AdamW"
        default: name = method.displayName
        }
        return details.isEmpty ? name : "\(name) (\(details.joined(separator: ", ")))"
    }

    // MARK: validation

    /// One-line InputErrors naming the configuration field: an option set for a method or
    /// rule that would ignore it, and every value out of range.
    public func validate() throws {
        let f = InputError.field
        if let rule = method.updateRule { return try validate(rule) }
        if preconditionerEpsilon != nil {
            throw InputError("\(f("preconditionerEpsilon")) applies to \(Self.readers([]) { $0.reads.preconditionerEpsilon != nil }) only (got \(f("method")) \(method.rawValue))")
        }
        if polar != nil && method != .specgd {
            throw InputError("\(f("polar")) applies to \(f("method")) specgd only (got \(f("method")) \(method.rawValue))")
        }
        let rule = polarRule
        if !rule.isNewtonSchulz || method != .specgd {
            for (given, name) in [(newtonSchulzSteps != nil, "newtonSchulzSteps"), (newtonSchulzEpsilon != nil, "newtonSchulzEpsilon")] where given {
                throw InputError("\(f(name)) applies to Newton–Schulz polar rules only (ns3, ns5, polar-express, custom; got \(f("polar")) \(rule.rawValue))")
            }
        }
        if safetyFactor != nil && rule != .polarExpress {
            throw InputError("\(f("safetyFactor")) applies to \(f("polar")) polar-express only (got \(f("polar")) \(rule.rawValue))")
        }
        if coefficients != nil && rule != .custom {
            throw InputError("\(f("coefficients")) apply to \(f("polar")) custom only (got \(f("polar")) \(rule.rawValue))")
        }
        if rule == .custom && (coefficients ?? []).isEmpty {
            throw InputError("\(f("polar")) custom needs \(f("coefficients")) (one 'a b c' row per Newton–Schulz step)")
        }
        if method == .adam && (momentum != 0 || nesterov) {
            throw InputError("\(f("momentum")) and \(f("nesterov")) apply to methods gd, specgd and signgd only (adam's momentum is \(f("beta1")))")
        }
        if method != .adam {
            let readers = ["beta1": Self.readers(["adam"]) { $0.reads.beta1 != nil },
                           "beta2": Self.readers(["adam"]) { $0.reads.beta2 != nil },
                           "adamEpsilon": Self.readers(["adam"]) { _ in false }]
            for (given, name) in [(beta1 != nil, "beta1"), (beta2 != nil, "beta2"), (adamEpsilon != nil, "adamEpsilon")] where given {
                throw InputError("\(f(name)) applies to \(readers[name]!) only (got \(f("method")) \(method.rawValue))")
            }
        }
        try Self.unitInterval(momentum, "momentum")
        if nesterov && momentum == 0 {
            throw InputError("\(f("nesterov")) needs \(f("momentum")) > 0 (Nesterov momentum with β = 0 is the plain method)")
        }
        if let k = newtonSchulzSteps { try Validate.atLeast(k, 1, "newtonSchulzSteps") }
        if let e = newtonSchulzEpsilon { try Validate.nonNegative(e, "newtonSchulzEpsilon") }
        if let sf = safetyFactor { try Validate.positive(sf, "safetyFactor") }
        for (g, row) in (coefficients ?? []).enumerated() where !(row.a.isFinite && row.b.isFinite && row.c.isFinite) {
            throw InputError("\(f("coefficients")) row \(g + 1) must be finite (got \(row.a) \(row.b) \(row.c))")
        }
        try Validate.nonNegative(weightDecay, "weightDecay")
        if let b = beta1 { try Self.unitInterval(b, "beta1") }
        if let b = beta2 { try Self.unitInterval(b, "beta2") }
        if let e = adamEpsilon { try Validate.positive(e, "adamEpsilon") }
    }

    /// A registered rule's options: what it does not read (`UpdateRule.options`) is refused,
    /// naming the rule; then the shared ranges.
    private func validate(_ rule: any UpdateRule.Type) throws {
        let f = InputError.field, reads = rule.reads, name = "\(f("method")) \(rule.name)"
        if polar != nil || newtonSchulzSteps != nil || newtonSchulzEpsilon != nil || safetyFactor != nil || coefficients != nil {
            let given = polar != nil ? "polar" : newtonSchulzSteps != nil ? "newtonSchulzSteps" : newtonSchulzEpsilon != nil
                ? "newtonSchulzEpsilon" : safetyFactor != nil ? "safetyFactor" : "coefficients"
            throw InputError("\(name) does not read \(f(given)) (it applies to \(f("method")) specgd only)")
        }
        let unread: [(Bool, String)] = [
            (!reads.momentum && (momentum != 0 || nesterov), momentum != 0 ? "momentum" : "nesterov"),
            (reads.beta1 == nil && beta1 != nil, "beta1"), (reads.beta2 == nil && beta2 != nil, "beta2"),
            (adamEpsilon != nil, "adamEpsilon"),
            (reads.preconditionerEpsilon == nil && preconditionerEpsilon != nil, "preconditionerEpsilon"),
        ]
        for (given, field) in unread where given {
            throw InputError("\(name) does not read \(f(field)) (it reads \(Self.optionList(rule)))")
        }
        try Self.unitInterval(momentum, "momentum")
        if nesterov && momentum == 0 {
            throw InputError("\(f("nesterov")) needs \(f("momentum")) > 0 (Nesterov momentum with β = 0 is the plain method)")
        }
        try Validate.nonNegative(weightDecay, "weightDecay")
        if let b = beta1 { try Self.unitInterval(b, "beta1") }
        if let b = beta2 { try Self.unitInterval(b, "beta2") }
        if let e = preconditionerEpsilon { try Validate.positive(e, "preconditionerEpsilon") }
    }

    /// The options `rule` reads, in words for a refusal ("beta1, beta2, weightDecay, learningRateScale").
    private static func optionList(_ rule: any UpdateRule.Type) -> String {
        let f = InputError.field
        var fields = rule.options.flatMap { $0 == .momentum ? ["momentum", "nesterov"] : [$0.field] }
        fields += ["weightDecay", "learningRateScale"]
        return fields.map(f).joined(separator: ", ")
    }

    /// The methods that read an option, for a refusal: `builtIn`, then the registered rules
    /// whose options satisfy `test` ("method adam or lion", "method shampoo").
    private static func readers(_ builtIn: [String], _ test: (any UpdateRule.Type) -> Bool) -> String {
        "\(InputError.field("method")) " + (builtIn + UpdateRules.all.filter(test).map { $0.name }).joined(separator: " or ")
    }

    /// β ∈ [0, 1): β = 1 never forgets (the buffer grows without bound), β < 0 alternates.
    static func unitInterval(_ value: Double, _ name: String) throws {
        guard value >= 0 && value < 1 else { throw InputError(field: name, "must be in [0, 1) (got \(value))") }
    }

    // MARK: decoding

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case method, polar, newtonSchulzSteps, newtonSchulzEpsilon, safetyFactor, coefficients, momentum, nesterov,
             weightDecay, learningRateScale, beta1, beta2, adamEpsilon, preconditionerEpsilon
    }

    /// The JSON keys, which a configuration writes at its top level (`Experiment`).
    static let fieldNames = CodingKeys.allCases.map(\.rawValue)

    /// Decodes any subset of the fields but `method`: missing keys keep their defaults;
    /// an unknown key is refused.
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(Self.fieldNames)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        _ = try c.decode(Method.self, forKey: .method)
        try self.init(fieldsOf: decoder)
    }

    /// The optimizer fields of a container that holds others too (a configuration's top level,
    /// which checks its keys itself); a missing `method` is gd.
    package init(fieldsOf decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(method: try c.decodeIfPresent(Method.self, forKey: .method) ?? .gd)
        polar = try c.decodeIfPresent(PolarMethod.self, forKey: .polar)
        newtonSchulzSteps = try c.decodeIfPresent(Int.self, forKey: .newtonSchulzSteps)
        newtonSchulzEpsilon = try c.decodeIfPresent(Double.self, forKey: .newtonSchulzEpsilon)
        safetyFactor = try c.decodeIfPresent(Double.self, forKey: .safetyFactor)
        coefficients = try c.decodeIfPresent([NewtonSchulzStep].self, forKey: .coefficients)
        momentum = try c.decodeIfPresent(Double.self, forKey: .momentum) ?? 0
        nesterov = try c.decodeIfPresent(Bool.self, forKey: .nesterov) ?? false
        weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? 0
        learningRateScale = try c.decodeIfPresent(LearningRateScale.self, forKey: .learningRateScale) ?? .none
        beta1 = try c.decodeIfPresent(Double.self, forKey: .beta1)
        beta2 = try c.decodeIfPresent(Double.self, forKey: .beta2)
        adamEpsilon = try c.decodeIfPresent(Double.self, forKey: .adamEpsilon)
        preconditionerEpsilon = try c.decodeIfPresent(Double.self, forKey: .preconditionerEpsilon)
    }
}
