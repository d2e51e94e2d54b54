import Foundation
import Plot
import SpecgdSupport

/// Where a measurement came from.
public enum EscapeSource: String, Sendable, Codable, CaseIterable {
    /// The exact summary map (MODEL.md §3).
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

/// One prediction set against one measurement: PASS or FAIL, always with its numbers.
public struct EscapeCheckRow: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// |measured − predicted| ≤ tolerance · |predicted|.
        case estimate
        /// measured ≤ predicted · (1 + tolerance).
        case upperBound = "upper-bound"
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
    public var passed: Bool

    init(lambda: Double, method: String, source: EscapeSource, quantity: String, kind: Kind,
         predicted: Double, measured: Double, tolerance: Double) {
        self.lambda = lambda
        self.method = method
        self.source = source
        self.quantity = quantity
        self.kind = kind
        self.predicted = predicted
        self.measured = measured
        self.tolerance = tolerance
        relativeError = (measured - predicted) / abs(predicted)
        switch kind {
        case .estimate: passed = abs(relativeError) <= tolerance
        case .upperBound: passed = relativeError <= tolerance
        }
        // A NaN anywhere is a failure with its numbers shown, never a silent pass.
        if !relativeError.isFinite { passed = false }
    }
}

/// The escape-stage checks of MODEL.md §5 for one (λ, method, source).
public enum EscapeCheck {
    /// - GD: b/a amplification over the linear window vs ρ(λ, η̃, q̄)^k; for λ > λ_c (the
    ///   spike grows into saturation) b/a at escape vs the saturation formula; for a
    ///   simulation, its escape step vs the theory map's (`reference`).
    /// - SpecGD: no growth of b/a within the window (bound max(1, (a/b)₀): b/a only relaxes towards 1);
    ///   escape step vs ⌈(a_esc − a₀)/η⌉.
    public static func rows(lambda: Double, method: String, source: EscapeSource, measurement m: EscapeMeasurement,
                            learningRate: Double, threshold: Double, reference: EscapeMeasurement? = nil,
                            tolerances: EscapeTolerances = EscapeTolerances()) -> [EscapeCheckRow] {
        func row(_ quantity: String, _ kind: EscapeCheckRow.Kind, _ predicted: Double, _ measured: Double, _ tol: Double) -> EscapeCheckRow {
            EscapeCheckRow(lambda: lambda, method: method, source: source, quantity: quantity, kind: kind,
                           predicted: predicted, measured: measured, tolerance: tol)
        }
        var rows = [EscapeCheckRow]()
        let escape = m.escapeStep.map(Double.init) ?? .nan
        if method == "gd" {
            let rho = EscapeFormulas.rho(lambda: lambda, learningRate: learningRate, q: m.windowMeanQ)
            let k = Double(m.windowEndStep)
            rows.append(row("amplification", .estimate, pow(rho, k), m.amplification, tolerances.amplification))
            if lambda > EscapeFormulas.criticalLambda(learningRate: learningRate, q: m.initialQ) {
                let predicted = EscapeFormulas.saturationRatio(lambda: lambda, signalAtEscape: m.signalAtEscape, q: m.qAtEscape)
                rows.append(row("ratio_at_escape", .estimate, predicted, m.escapeStep == nil ? .nan : m.ratioAtEscape, tolerances.saturation))
            }
            if let reference {
                rows.append(row("escape_step", .estimate, reference.escapeStep.map(Double.init) ?? .nan, escape, tolerances.escapeStep))
            }
        } else {
            // a and b both move by η per step, so b/a moves monotonically from (b/a)₀ towards 1:
            // it can never exceed max(1, (b/a)₀), i.e. amplify by more than max(1, (a/b)₀).
            let bound = m.initialRatio > 0 ? max(1, 1 / m.initialRatio) : 1
            rows.append(row("amplification", .upperBound, bound, m.maxAmplification, tolerances.noGrowth))
            let predicted = EscapeFormulas.specgdEscapeStep(signal: m.initialSignal, threshold: threshold, learningRate: learningRate)
            rows.append(row("escape_step", .estimate, predicted, escape, tolerances.escapeStep))
        }
        return rows
    }

    /// The rows as a numeric table: `lambda, is_specgd, is_simulation, quantity_code,
    /// predicted, measured, relative_error, tolerance, passed` (codes in `quantityCodes`).
    public static let quantityCodes = ["amplification": 0.0, "ratio_at_escape": 1, "escape_step": 2]

    public static func table(_ rows: [EscapeCheckRow]) -> Table {
        var table = Table(columns: ["lambda", "is_specgd", "is_simulation", "quantity_code", "predicted", "measured",
                                    "relative_error", "tolerance", "passed"])
        for r in rows {
            table.append([r.lambda, r.method == "specgd" ? 1 : 0, r.source == .simulation ? 1 : 0,
                          quantityCodes[r.quantity] ?? .nan, r.predicted, r.measured, r.relativeError, r.tolerance,
                          r.passed ? 1 : 0])
        }
        return table
    }

    /// The PASS/FAIL table as text, one row per check.
    public static func report(_ rows: [EscapeCheckRow]) -> String {
        let widths = [7, 7, 11, 16, 12, 12, 10, 6, 5]
        var lines = [TextTable.row(["lambda", "method", "source", "quantity", "predicted", "measured", "rel.err", "tol", "ok"], widths: widths)]
        for r in rows {
            lines.append(TextTable.row([TextTable.fixed(r.lambda, 4), r.method, r.source.rawValue,
                                        r.quantity + (r.kind == .upperBound ? " ≤" : ""),
                                        TextTable.fixed(r.predicted, 5), TextTable.fixed(r.measured, 5),
                                        String(format: "%+.2e", r.relativeError), TextTable.fixed(r.tolerance, 2),
                                        r.passed ? "PASS" : "FAIL"], widths: widths))
        }
        let failed = rows.filter { !$0.passed }.count
        lines.append(failed == 0 ? "all \(rows.count) predictions held" : "\(failed) of \(rows.count) predictions FAILED")
        return lines.joined(separator: "\n")
    }
}
