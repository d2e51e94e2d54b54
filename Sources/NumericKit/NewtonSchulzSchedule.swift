import Foundation
import SpecgdSupport

/// One Newton–Schulz step's odd polynomial x ↦ a x + b x³ + c x⁵ (on matrices:
/// X ↦ a X + b (XXᵀ)X + c (XXᵀ)²X, which acts on every singular value by the same polynomial).
public struct NewtonSchulzStep: Sendable, Codable, Hashable {
    public var a: Double
    public var b: Double
    public var c: Double

    public init(_ a: Double, _ b: Double, _ c: Double) {
        self.a = a
        self.b = b
        self.c = c
    }

    /// a x + b x³ + c x⁵, associated as x · ((b x² + c (x²·x²)) + a): the association of the dense
    /// iteration X · p(XᵀX) with p(A) = (b A + c A²) + a I on a diagonal X, so a dense run on the
    /// manifold and the exact map can round alike.
    @inlinable
    public func callAsFunction(_ x: Double) -> Double {
        let x2 = x * x
        return x * ((b * x2 + c * (x2 * x2)) + a)
    }
}

/// The per-step coefficients and the normalisation of a Newton–Schulz polar approximation
/// (docs/model.md §6), defined once for the exact map and the dense runs: normalise
/// X = U / (f‖U‖_F + ε), then apply `steps[0]`, `steps[1]`, … in order. Odd polynomials keep
/// x = 0 at 0, so the sign(0) = 0 convention of the exact polar carries over.
public struct NewtonSchulzSchedule: Sendable, Equatable {
    /// The polynomial of each step, in the order applied (already divided by the safety factor
    /// where the rule says so).
    public var steps: [NewtonSchulzStep]
    /// f in X = U / (f‖U‖_F + ε): 1 except Polar Express's safety factor.
    public var normalisationFactor: Double
    /// ε in X = U / (f‖U‖_F + ε) (Muon's 1e-7).
    public var epsilon: Double

    public init(steps: [NewtonSchulzStep], normalisationFactor: Double = 1, epsilon: Double = Self.defaultEpsilon) {
        self.steps = steps
        self.normalisationFactor = normalisationFactor
        self.epsilon = epsilon
    }

    public static let defaultSteps = 5
    public static let defaultEpsilon = 1e-7
    /// Polar Express's reference code divides every tuple but the last by (f, f³, f⁵) and
    /// normalises by f‖U‖_F + ε with f = 1.01.
    public static let defaultSafetyFactor = 1.01

    /// Cubic Newton–Schulz X ← (3/2)X − (1/2)XXᵀX: converges to the polar factor for singular
    /// values in (0, √3); 1 is a fixed point.
    public static let cubic = NewtonSchulzStep(1.5, -0.5, 0)
    /// Muon's quintic (Jordan et al.): a₁ = 3.4445 lifts small singular values fast but the
    /// iteration only reaches a plateau (roughly [0.7, 1.2]), not 1.
    public static let quintic = NewtonSchulzStep(3.4445, -4.7750, 2.0315)
    /// Polar Express (Amsel et al. 2025), before the safety factor: seven tuned steps, then the
    /// last tuple (1.875, −1.25, 0.375) repeated (a polynomial with fixed point 1 and
    /// p'(1) = 0).
    public static let polarExpressCoefficients: [NewtonSchulzStep] = [
        NewtonSchulzStep(8.28721201814563, -23.595886519098837, 17.300387312530933),
        NewtonSchulzStep(4.107059111542203, -2.9478499167379106, 0.5448431082926601),
        NewtonSchulzStep(3.9486908534822946, -2.908902115962949, 0.5518191394370137),
        NewtonSchulzStep(3.3184196573706015, -2.488488024314874, 0.51004894012372),
        NewtonSchulzStep(2.300652019954817, -1.6689039845747493, 0.4188073119525673),
        NewtonSchulzStep(1.891301407787398, -1.2679958271945868, 0.37680408948524835),
        NewtonSchulzStep(1.8750014808534479, -1.2500016453999487, 0.3750001645474248),
        NewtonSchulzStep(1.875, -1.25, 0.375),
    ]

    /// K rows of a coefficient list: row k for k < rows.count, then the last row repeated
    /// (Polar Express's rule, used for custom rows too).
    static func take(_ rows: [NewtonSchulzStep], _ k: Int) -> [NewtonSchulzStep] {
        (0..<k).map { rows[min($0, rows.count - 1)] }
    }

    /// K cubic steps.
    public static func cubic(steps k: Int, epsilon: Double = defaultEpsilon) -> Self {
        Self(steps: take([cubic], k), epsilon: epsilon)
    }

    /// K quintic steps (Muon: K = 5).
    public static func quintic(steps k: Int, epsilon: Double = defaultEpsilon) -> Self {
        Self(steps: take([quintic], k), epsilon: epsilon)
    }

    /// K Polar Express steps with safety factor f: every tuple but the last divided by
    /// (f, f³, f⁵), normalisation by f‖U‖_F + ε.
    public static func polarExpress(steps k: Int, safetyFactor f: Double = defaultSafetyFactor,
                                    epsilon: Double = defaultEpsilon) -> Self {
        let list = polarExpressCoefficients
        let damped = list.dropLast().map { NewtonSchulzStep($0.a / f, $0.b / (f * f * f), $0.c / (f * f * f * f * f)) } + [list.last!]
        return Self(steps: take(damped, k), normalisationFactor: f, epsilon: epsilon)
    }

    /// Custom rows, one per step; K beyond the rows repeats the last row.
    public static func custom(_ rows: [NewtonSchulzStep], steps k: Int? = nil, epsilon: Double = defaultEpsilon) -> Self {
        Self(steps: take(rows, k ?? rows.count), epsilon: epsilon)
    }

    /// The schedule of a Newton–Schulz `PolarMethod` (nil for the exact rules svd and gram).
    /// `rows` are the custom coefficients (required for `.custom`).
    public static func of(_ method: PolarMethod, steps k: Int, epsilon: Double = defaultEpsilon,
                          safetyFactor f: Double = defaultSafetyFactor, rows: [NewtonSchulzStep]? = nil) -> Self? {
        switch method {
        case .svd, .gram: return nil
        case .ns3: return cubic(steps: k, epsilon: epsilon)
        case .ns5: return quintic(steps: k, epsilon: epsilon)
        case .polarExpress: return polarExpress(steps: k, safetyFactor: f, epsilon: epsilon)
        case .custom: return rows.map { custom($0, steps: k, epsilon: epsilon) }
        }
    }

    /// φ_K(x): every step applied to x in order (x already normalised).
    @inlinable
    public func apply(_ x: Double) -> Double {
        var y = x
        for step in steps { y = step(y) }
        return y
    }

    /// Custom coefficients from a text file: one step per line, three numbers "a b c"
    /// (separated by spaces, tabs or commas); blank lines and text after '#' are ignored.
    public static func readRows(file path: String) throws -> [NewtonSchulzStep] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw InputError("cannot read Newton–Schulz coefficients file \(path)")
        }
        return try parseRows(text, source: path)
    }

    /// `readRows` on text (`source` names it in messages).
    static func parseRows(_ text: String, source: String) throws -> [NewtonSchulzStep] {
        var rows: [NewtonSchulzStep] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split { $0 == "," || $0.isWhitespace }
            if fields.isEmpty { continue }
            guard fields.count == 3 else {
                throw InputError("\(source) line \(number + 1): a Newton–Schulz step needs 3 coefficients 'a b c' (got \(fields.count))")
            }
            let values = try fields.map { field -> Double in
                guard let value = Double(field), value.isFinite else {
                    throw InputError("\(source) line \(number + 1): '\(field)' is not a finite number")
                }
                return value
            }
            rows.append(NewtonSchulzStep(values[0], values[1], values[2]))
        }
        guard !rows.isEmpty else { throw InputError("\(source): no Newton–Schulz coefficient rows") }
        return rows
    }
}
