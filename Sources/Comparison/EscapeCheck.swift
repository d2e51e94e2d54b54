import Foundation
import SpecgdSupport
import Model
import Theory

/// Where a measurement came from.
public enum EscapeSource: String, Sendable, Codable, CaseIterable {
    /// The exact summary map (docs/model.md §3).
    case theoryMap = "theory-map"
    /// Dense simulations (mean over seeds).
    case simulation
}

/// How close a measurement must come to its prediction.
public struct EscapeTolerances: Sendable, Codable, Equatable {
    /// GD: b/a amplification over the linear window against ρ^k (relative).
    public var amplification: Double = 0.03
    /// GD: b/a at escape against the quasi-static saturation formula (relative; the formula
    /// neglects b's lag behind its moving fixed point, a few per cent at λ ≥ 4).
    public var saturation: Double = 0.10
    /// Escape step against its prediction (relative).
    public var escapeStep: Double = 0.05
    /// SpecGD: how far b/a may rise above its initial value within the window (relative).
    public var noGrowth: Double = 0.05

    public init() {}
}

/// A check's verdict. `notCheckable` is neither held nor failed: the data has nothing to
/// test the prediction on (an empty linear window, no escape within the budget), and
/// docs/model.md §7 forbids calling that a PASS. `diverged`: the run behind the row stopped
/// being finite before it finished (`divergedStep`, the reason "diverged at step K: …"); its
/// numbers are measured on the rows up to there, and it is counted apart from the others.
public enum CheckStatus: String, Sendable, Codable, Equatable {
    case pass
    case fail
    case notCheckable = "not-checkable"
    case diverged
}

/// One prediction set against one measurement: PASS, FAIL or not checkable, always with its
/// numbers (and the reason when not checkable).
public struct EscapeCheckRow: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// |measured − predicted| ≤ tolerance · |predicted|.
        case estimate
        /// measured ≤ predicted · (1 + tolerance).
        case upperBound = "upper-bound"
        /// measured ≥ predicted · (1 − tolerance).
        case lowerBound = "lower-bound"
        /// measured == predicted, bit for bit (tolerance 0).
        case exact
    }
    public var lambda: Double
    public var method: String
    public var source: EscapeSource
    public var quantity: String
    public var kind: Kind
    public var predicted: Double
    public var measured: Double
    /// (measured − predicted) / |predicted|.
    public var relativeError: Double
    public var tolerance: Double
    public var status: CheckStatus
    /// True only for `status == .pass` (kept for readers of the older records).
    public var passed: Bool
    /// Why the prediction could not be checked (or, for a failed escape step, that there was
    /// no escape); nil otherwise.
    public var reason: String?
    /// Window checks: the number of steps in the linear window the prediction was tested over.
    public var windowSteps: Int?
    /// `status == .diverged`: the step at which the run's state stopped being finite.
    public var divergedStep: Int?

    init(lambda: Double, method: String, source: EscapeSource, quantity: String, kind: Kind,
         predicted: Double, measured: Double, tolerance: Double, windowSteps: Int? = nil,
         notCheckable: String? = nil, reason: String? = nil) {
        self.lambda = lambda
        self.method = method
        self.source = source
        self.quantity = quantity
        self.kind = kind
        self.predicted = predicted
        self.measured = measured
        self.tolerance = tolerance
        self.windowSteps = windowSteps
        relativeError = (measured - predicted) / abs(predicted)
        var held: Bool
        switch kind {
        case .estimate: held = abs(relativeError) <= tolerance
        case .upperBound: held = relativeError <= tolerance
        case .lowerBound: held = relativeError >= -tolerance
        case .exact: held = measured == predicted
        }
        // A NaN anywhere is a failure with its numbers shown, never a silent pass (an exact
        // check of 0 against 0 has relative error 0/0 and is judged on the values alone).
        if kind == .exact { relativeError = measured == predicted ? 0 : relativeError }
        if !relativeError.isFinite || !measured.isFinite { held = false }
        if let notCheckable {
            status = .notCheckable
            self.reason = notCheckable
        } else {
            status = held ? .pass : .fail
            self.reason = reason
        }
        passed = status == .pass
    }

    /// The row of a run that diverged at `step` (`detail`: the divergence message, "diverged
    /// at step K: …"): status diverged whatever the numbers say, the message as the reason.
    public func diverged(at step: Int, detail: String) -> EscapeCheckRow {
        var row = self
        row.status = .diverged
        row.passed = false
        row.divergedStep = step
        row.reason = detail
        return row
    }
}

/// Which closed forms of docs/model.md §5 hold for a covariance (nil: the prediction holds;
/// else why it does not, the rows' "not checkable" reason). Derived in docs/model.md §5
/// "Several spikes": in the linear window every non-signal group enters T only through its mass,
/// O(α²) as the bulk, so the leading spike's b/a grows by ρ(λ₁, η̃, q) exactly as with one spike
/// provided no other spike grows faster (λ_k ≤ λ₁); the saturation formula is the one-spike fixed
/// point (another spike that saturates adds its energy to T); SpecGD moves every coefficient by ±η
/// whatever the spikes, so its rows hold for every spiked covariance. The other covariances have
/// no closed form here.
public struct EscapePredictionScope: Sendable, Equatable {
    /// GD's amplification against ρ(λ₁)^k.
    public var gdWindow: String?
    /// GD's b/a at escape against the saturation formula.
    public var saturation: String?
    /// SpecGD's no-growth bound and escape step ⌈(a_esc − a₀)/η⌉.
    public var specgd: String?
    /// The family's first-step and Newton–Schulz escape band (the one-spike closed-form gradient at αI).
    public var family: String?

    /// Every closed form (the one-spike spiked model).
    public static let all = EscapePredictionScope()

    public init(gdWindow: String? = nil, saturation: String? = nil, specgd: String? = nil, family: String? = nil) {
        self.gdWindow = gdWindow
        self.saturation = saturation
        self.specgd = specgd
        self.family = family
    }

    public init(_ experiment: Experiment) {
        guard experiment.covariance == .spiked else {
            let none = "no closed form for this covariance (\(experiment.covariance.rawValue))"
            self.init(gdWindow: none, saturation: none, specgd: none, family: none)
            return
        }
        let spikes = experiment.resolvedSpikes
        guard spikes.count > 1 else { self.init(); return }
        let leading = spikes[0]
        let stronger = spikes.indices.dropFirst().first { spikes[$0] > leading }
        self.init(
            gdWindow: stronger.map { "spike \($0 + 1) (λ = \(Table.format(spikes[$0]))) grows faster than the leading spike (λ = \(Table.format(leading))): no closed form for the window" },
            saturation: "no closed form for several spikes: the saturation formula is the one-spike fixed point (another saturating spike adds its energy to T)",
            specgd: nil,
            family: "no closed form for several spikes: the first-step gradient is the one-spike closed form")
    }
}

/// The escape-stage checks of docs/model.md §5 for one (λ, method, source).
public enum EscapeCheck {
    /// - GD: b/a amplification over the linear window vs ρ(λ, η̃, q̄)^k; for λ > λ_c (the
    ///   spike grows into saturation) b/a at escape vs the saturation formula; for a
    ///   simulation, its escape step vs the theory map's (`reference`).
    /// - SpecGD: no growth of b/a within the window (bound max(1, (a/b)₀): b/a only relaxes towards 1);
    ///   escape step vs ⌈(a_esc − a₀)/η⌉.
    /// A prediction the data cannot test is `notCheckable` with the reason: an empty linear
    /// window (window checks), no escape (b/a at escape), no predicted escape step, or no
    /// measured escape within a budget too short to tell (see `escapeStepRow`).
    /// `referenceStop`: why the theory map behind `reference` stopped early (its divergence);
    /// the simulation's escape step is then not checkable against it.
    public static func rows(lambda: Double, method: String, source: EscapeSource, measurement m: EscapeMeasurement,
                            learningRate: Double, threshold: Double, reference: EscapeMeasurement? = nil,
                            referenceStop: String? = nil, scope: EscapePredictionScope = .all,
                            tolerances: EscapeTolerances = EscapeTolerances()) -> [EscapeCheckRow] {
        func row(_ quantity: String, _ kind: EscapeCheckRow.Kind, _ predicted: Double, _ measured: Double, _ tol: Double,
                 window: Int? = nil, notCheckable: String? = nil, reason: String? = nil) -> EscapeCheckRow {
            EscapeCheckRow(lambda: lambda, method: method, source: source, quantity: quantity, kind: kind,
                           predicted: predicted, measured: measured, tolerance: tol, windowSteps: window,
                           notCheckable: notCheckable, reason: reason)
        }
        func escapeStepRow(predicted: Double, predictedBy: String) -> EscapeCheckRow {
            guard predicted.isFinite else {
                return row("escape_step", .estimate, predicted, m.escapeStep.map(Double.init) ?? .nan, tolerances.escapeStep,
                           notCheckable: referenceStop.map { "\(predictedBy) \($0)" } ?? "\(predictedBy) predicts no escape")
            }
            guard let escape = m.escapeStep else {
                // No escape is a failure only when the budget ran past every step the tolerance allows.
                let latest = predicted * (1 + tolerances.escapeStep)
                let none = "no escape within \(m.lastStep) steps"
                return Double(m.lastStep) >= latest
                    ? row("escape_step", .estimate, predicted, .nan, tolerances.escapeStep, reason: none)
                    : row("escape_step", .estimate, predicted, .nan, tolerances.escapeStep,
                          notCheckable: none + ", shorter than the \(Int(latest.rounded(.up))) the tolerance allows")
            }
            return row("escape_step", .estimate, predicted, Double(escape), tolerances.escapeStep)
        }
        let emptyWindow = m.windowSteps == 0 ? (m.emptyWindowReason ?? "the linear window is empty") : nil
        var rows = [EscapeCheckRow]()
        if method == "gd" {
            let rho = EscapeAnalytics.rho(lambda: lambda, lr: learningRate, q: m.windowMeanQ)
            rows.append(row("amplification", .estimate, pow(rho, Double(m.windowSteps)), m.amplification, tolerances.amplification,
                            window: m.windowSteps, notCheckable: scope.gdWindow ?? emptyWindow))
            if lambda > EscapeAnalytics.lambdaCritical(lr: learningRate, q: m.initialQ) {
                if let a = m.signalAtEscape, let q = m.qAtEscape, let measured = m.ratioAtEscape {
                    let predicted = EscapeAnalytics.saturationRatio(lambda: lambda, a: a, q: q)
                    // The plateau must attract for b at escape to be b*(a): past μ = −1 b oscillates
                    // chaotically and its value at escape depends on the last bit (docs/model.md §5).
                    let mu = EscapeAnalytics.plateauMultiplier(lambda: lambda, lr: learningRate, a: a, q: q)
                    let unstable: String? = if let none = scope.saturation { none }
                        else if !predicted.isFinite { "no saturation point (1 − a_esc² − q ≤ 0)" }
                        else if mu <= -1 { "unstable plateau: η̃(1+λ)(1 − a² − q) = \(String(format: "%.4g", (1 - mu) / 2)) ≥ 1 at escape (multiplier μ = \(String(format: "%.4g", mu)) ≤ −1): b oscillates chaotically about b*, its value at escape depends on the last bit" }
                        else if let k = m.spikeSignChangeStep { "b changes sign at step \(k) before escape: it overshoots 0 instead of settling on the plateau" }
                        else { nil }
                    rows.append(row("ratio_at_escape", .estimate, predicted, measured, tolerances.saturation, notCheckable: unstable))
                } else {
                    rows.append(row("ratio_at_escape", .estimate, .nan, .nan, tolerances.saturation,
                                    notCheckable: "no escape within \(m.lastStep) steps"))
                }
            }
            if let reference {
                let predicted = referenceStop == nil ? reference.escapeStep.map(Double.init) ?? .nan : .nan
                rows.append(escapeStepRow(predicted: predicted, predictedBy: "the theory map"))
            }
        } else {
            // a and b both move by η per step, so b/a moves monotonically from (b/a)₀ towards 1:
            // it can never exceed max(1, (b/a)₀), i.e. amplify by more than max(1, (a/b)₀).
            let bound = m.initialRatio > 0 ? max(1, 1 / m.initialRatio) : 1
            rows.append(row("amplification", .upperBound, bound, m.maxAmplification, tolerances.noGrowth,
                            window: m.windowSteps, notCheckable: scope.specgd ?? emptyWindow))
            let predicted = EscapeAnalytics.specgdEscapeStep(alpha: m.initialSignal, threshold: threshold, lr: learningRate)
                .map(Double.init) ?? .nan
            var escape = escapeStepRow(predicted: predicted, predictedBy: "⌈(a_esc − a₀)/η⌉ (a₀ ≤ 0)")
            if let none = scope.specgd {
                // No closed form: a simulation is still measured against its theory map, as GD's.
                if let reference {
                    escape = escapeStepRow(predicted: referenceStop == nil ? reference.escapeStep.map(Double.init) ?? .nan : .nan,
                                           predictedBy: "the theory map")
                } else {
                    escape = row("escape_step", .estimate, predicted, m.escapeStep.map(Double.init) ?? .nan, tolerances.escapeStep,
                                 notCheckable: none)
                }
            }
            // On the map (its arithmetic is the error model's): when (a_esc − a₀)/η lies within
            // rounding of an integer n, exact arithmetic allows n or n + 1, and so does the map.
            if source == .theoryMap, escape.status != .notCheckable,
               let boundary = EscapeAnalytics.specgdEscapeStepBoundary(alpha: m.initialSignal, threshold: threshold, lr: learningRate) {
                let note = "decided within rounding: (a_esc − a₀)/η = \(boundary.ratio) is within \(String(format: "%.2g", boundary.margin)) of \(boundary.step), so the escape step is \(boundary.step) or \(boundary.step + 1)"
                if let e = m.escapeStep, e == boundary.step || e == boundary.step + 1 {
                    escape.status = .pass
                    escape.passed = true
                }
                escape.reason = escape.reason.map { $0 + "; " + note } ?? note
            }
            rows.append(escape)
        }
        return rows
    }

    /// The checks of the optimizer family on the exact map (docs/model.md §6), for one λ:
    /// - signgd: its trajectory equals exact SpecGD's bit for bit (`trajectoryDifference`, the
    ///   largest |s_signgd − s_specgd| over every step and group, predicted 0), then SpecGD's rows;
    /// - a Newton–Schulz rule (`schedule`; Muon with its Nesterov β): a's first move equals
    ///   η·φ_K(x_a(0)) (closed-form gradient, tolerance from `newtonSchulzRelativeError`), and
    ///   the escape step lies in [⌈(a_esc − a₀)/(η·max φ_K)⌉, ⌈(a_esc − a₀)/(η·min φ_K)⌉], φ_K over
    ///   [x_a(0), 1] (the move while x_a stays between its first value and 1; below the plateau
    ///   band min φ_K is small and the upper end long);
    /// - adam: a's first move equals η·|G_a|/(|G_a| + ε) (bias correction makes the first step
    ///   exactly sign-like up to ε/|G|); no escape-step prediction (none is derived here).
    public static func familyRows(lambda: Double, method: String, measurement m: EscapeMeasurement, firstMove: Double,
                                  learningRate: Double, threshold: Double, dimension: Int, optimizer: Optimizer,
                                  trajectoryDifference: Double? = nil, scope: EscapePredictionScope = .all,
                                  tolerances: EscapeTolerances = EscapeTolerances()) -> [EscapeCheckRow] {
        func row(_ quantity: String, _ kind: EscapeCheckRow.Kind, _ predicted: Double, _ measured: Double, _ tol: Double,
                 notCheckable: String? = nil) -> EscapeCheckRow {
            EscapeCheckRow(lambda: lambda, method: method, source: .theoryMap, quantity: quantity, kind: kind,
                           predicted: predicted, measured: measured, tolerance: tol, notCheckable: notCheckable)
        }
        let eps = Double.ulpOfOne / 2, alpha = m.initialSignal
        // a₁ = a₀ − η·u is rounded once (|a₁|·ε), and a₁ − a₀ is exact or rounded once more.
        let moveError = 2 * eps * (abs(alpha) + abs(alpha + firstMove)) / max(abs(firstMove), .leastNormalMagnitude)
        let g = EscapeAnalytics.identityGradient(lambda: lambda, dimension: dimension, alpha: alpha)
        // The gradient and norm of either side: a few roundings each over three groups.
        let gradientError = 16 * eps
        // signgd's equality with exact SpecGD holds on every diagonal covariance; the others'
        // closed forms start from the one-spike gradient.
        let closedForm = optimizer.method == .adam || optimizer.method.updateRule != nil || optimizer.schedule != nil
        if let none = scope.family, closedForm {
            return [row("first_step", .estimate, .nan, firstMove, 0, notCheckable: none),
                    row("escape_step", .estimate, .nan, m.escapeStep.map(Double.init) ?? .nan, tolerances.escapeStep, notCheckable: none)]
        }
        switch optimizer.method {
        case .signgd:
            var rows = [row("trajectory_vs_specgd", .exact, 0, trajectoryDifference ?? .nan, 0)]
            rows += Self.rows(lambda: lambda, method: method, source: .theoryMap, measurement: m, learningRate: learningRate,
                              threshold: threshold, scope: scope, tolerances: tolerances)
            return rows
        case .adam:
            let e = optimizer.resolvedAdamEpsilon
            let predicted = learningRate * abs(g.signal) / (abs(g.signal) + e)
            return [row("first_step", .estimate, predicted, firstMove, gradientError + 16 * eps + moveError)]
        case .rule:
            let rule = optimizer.method.updateRule!
            // U at the first step: G, or (1 + β)G with Nesterov momentum (B₁ = G).
            let scale = optimizer.nesterov ? 1 + optimizer.momentum : 1
            let source = [g.signal, g.spike, g.bulk].map { scale * $0 }
            var rows = [EscapeCheckRow]()
            if let move = rule.init(optimizer).firstSignalMove(source: source, multiplicity: [1, 1, Double(dimension - 2)], signal: 0) {
                // A sum over groups (a nuclear norm ‖U‖_*) adds a rounding per group to the gradient's.
                rows.append(row("first_step", .estimate, learningRate * move, firstMove, gradientError + 16 * eps + moveError))
            }
            rows.append(row("escape_step", .estimate, .nan, m.escapeStep.map(Double.init) ?? .nan, tolerances.escapeStep,
                            notCheckable: rule.noPredictionReason))
            return rows
        case .gd, .specgd:
            guard let schedule = optimizer.schedule else { return [] }
            let beta = optimizer.nesterov ? optimizer.momentum : 0
            let x0 = EscapeAnalytics.newtonSchulzFirstInput(lambda: lambda, dimension: dimension, alpha: alpha,
                                                            schedule: schedule, nesterovBeta: beta)
            let predicted = learningRate * schedule.apply(x0)
            let nsError = EscapeAnalytics.newtonSchulzRelativeError(schedule, at: x0, inputError: 2 * gradientError)
            var rows = [row("first_step", .estimate, predicted, firstMove, nsError + moveError)]
            let band = EscapeAnalytics.newtonSchulzMoveBand(schedule, from: x0)
            let distance = threshold - alpha
            let measured = m.escapeStep.map(Double.init) ?? .nan
            let none = m.escapeStep == nil ? "no escape within \(m.lastStep) steps" : nil
            let fastest = (distance / (learningRate * band.max)).rounded(.up)
            rows.append(row("escape_step", .lowerBound, fastest, measured, tolerances.escapeStep, notCheckable: none))
            if band.min > 0 {
                let slowest = (distance / (learningRate * band.min)).rounded(.up)
                // No escape fails the upper end only once the budget ran past every step it allows.
                let short = none != nil && Double(m.lastStep) < slowest * (1 + tolerances.escapeStep)
                rows.append(row("escape_step", .upperBound, slowest, measured, tolerances.escapeStep,
                                notCheckable: short ? none! + ", shorter than the upper end allows" : nil))
            } else {
                rows.append(row("escape_step", .upperBound, .infinity, measured, tolerances.escapeStep,
                                notCheckable: "φ_K reaches 0 on [x_a(0), 1]: no slowest move"))
            }
            return rows
        }
    }

    /// The rows as a numeric table: `lambda, is_specgd, is_simulation, quantity_code,
    /// predicted, measured, relative_error, tolerance, passed, window_steps, diverged_step`
    /// (codes in `quantityCodes`; passed is 1, 0, or nan for not checkable and diverged;
    /// window_steps nan where it does not apply; diverged_step the step at which the row's run
    /// diverged, nan for every other row).
    static let quantityCodes = ["amplification": 0.0, "ratio_at_escape": 1, "escape_step": 2,
                                       "trajectory_vs_specgd": 3, "first_step": 4]

    /// With `methodCodes` (check-escape `--methods`), a last column `method_code`: the row's
    /// method's index in that list.
    public static func table(_ rows: [EscapeCheckRow], methodCodes: [String]? = nil) -> Table {
        var table = Table(columns: ["lambda", "is_specgd", "is_simulation", "quantity_code", "predicted", "measured",
                                    "relative_error", "tolerance", "passed", "window_steps", "diverged_step"] + (methodCodes == nil ? [] : ["method_code"]))
        for r in rows {
            let passed: Double = switch r.status { case .pass: 1; case .fail: 0; case .notCheckable, .diverged: .nan }
            var row: [Double] = [r.lambda, r.method == "specgd" ? 1 : 0, r.source == .simulation ? 1 : 0,
                                 quantityCodes[r.quantity] ?? .nan, r.predicted, r.measured, r.relativeError, r.tolerance,
                                 passed, r.windowSteps.map(Double.init) ?? .nan, r.divergedStep.map(Double.init) ?? .nan]
            if let methodCodes {
                let code: Double = methodCodes.firstIndex(of: r.method).map(Double.init) ?? .nan
                row.append(code)
            }
            table.append(row)
        }
        return table
    }

    /// Counts by verdict.
    public static func tally(_ rows: [EscapeCheckRow]) -> (held: Int, failed: Int, notCheckable: Int, diverged: Int) {
        (rows.filter { $0.status == .pass }.count, rows.filter { $0.status == .fail }.count,
         rows.filter { $0.status == .notCheckable }.count, rows.filter { $0.status == .diverged }.count)
    }

    /// The PASS/FAIL table as text, one row per check, then the reasons of the rows that
    /// could not be checked (or failed without an escape) and one summary line.
    public static func report(_ rows: [EscapeCheckRow]) -> String {
        let widths = [7, 7, 11, 16, 12, 12, 10, 6, 13]
        var lines = [TextTable.row(["lambda", "method", "source", "quantity", "predicted", "measured", "rel.err", "tol", "ok"], widths: widths)]
        for r in rows {
            let verdict = switch r.status { case .pass: "PASS"; case .fail: "FAIL"; case .notCheckable: "not checkable"; case .diverged: "DIVERGED" }
            lines.append(TextTable.row([TextTable.fixed(r.lambda, 4), r.method, r.source.rawValue,
                                        r.quantity + (r.kind == .upperBound ? " ≤" : r.kind == .lowerBound ? " ≥" : r.kind == .exact ? " ==" : ""),
                                        TextTable.fixed(r.predicted, 5), TextTable.fixed(r.measured, 5),
                                        r.status == .notCheckable || r.status == .diverged ? "-" : String(format: "%+.2e", r.relativeError),
                                        TextTable.fixed(r.tolerance, 2), verdict], widths: widths))
        }
        for r in rows where r.reason != nil {
            lines.append("  λ = \(TextTable.fixed(r.lambda, 4)) \(r.method) \(r.source.rawValue) \(r.quantity): \(r.reason!)")
        }
        let (held, failed, notCheckable, diverged) = tally(rows)
        let checked = held + failed
        var summary = failed == 0 ? "all \(checked) checkable predictions held" : "\(failed) of \(checked) checkable predictions FAILED"
        if notCheckable > 0 { summary += "; \(notCheckable) not checkable" }
        if diverged > 0 { summary += "; \(diverged) row\(diverged == 1 ? "" : "s") diverged" }
        lines.append(summary)
        return lines.joined(separator: "\n")
    }
}
