import ArgumentParser
import NumericKit
import Plot
import Model
import Simulation
import Sweep
import SpecgdSupport
import Theory

// The values of every enum option, with what each means. The help and docs/cli.md list them
// from these types (allValueStrings, allValueDescriptions); help strings never repeat them.

extension Method: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        ["gd": "gradient descent, W ← W − η̃∇L",
         "specgd": "spectral GD, W ← W − η·polar(∇L) (every singular direction moves by η; Muon with --polar ns5 --momentum 0.95 --nesterov)",
         "signgd": "sign descent, W ← W − η·sign(∇L) elementwise (SpecGD's twin on the manifold, not rotation-invariant)",
         "adam": "Adam with bias correction (--beta1 --beta2 --adam-eps; AdamW with --weight-decay)"]
            .merging(UpdateRules.all.map { ($0.name, $0.summary) }) { old, _ in old }
    }
}

/// One covariance vocabulary for every command; a backend refuses, in one line, a kind it
/// cannot run (dense runs take no custom groups).
extension CovarianceKind: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        ["spiked": "Σ = I + λvvᵀ (dense runs: several spikes with --spikes)",
         "power-law": "σ_i ∝ i^(−β), i = 1..d, normalised to mean eigenvalue 1",
         "diagonal": "the eigenvalues in --spectrum FILE",
         "custom": "eigenvalue groups from --config FILE.json (theory only)"]
    }
}

extension CovarianceKind {
    /// An option only some covariances read (their defaults hide whether it was given, so the
    /// CLI checks): given with another covariance it would be ignored, so it is refused.
    /// `shown` is the covariance the message names (theory's --config implies custom).
    func refuseUnread(_ flag: String, given: Bool, readBy kinds: [CovarianceKind], shown: CovarianceKind? = nil) throws {
        guard given, !kinds.contains(self) else { return }
        throw InputError("\(flag) applies to --covariance \(kinds.map(\.rawValue).joined(separator: " or ")) only (got --covariance \((shown ?? self).rawValue))")
    }
}

extension FigureSize: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        ["screen": "1200 px wide, for screens and the report",
         "single": "one paper column, 3.5 in (width in pt: a PDF has that page size; text ≥ 7 pt; at most 2 panels a row)",
         "double": "the text width of a two-column paper, 7 in (in pt; text ≥ 7 pt; at most 4 panels a row)"]
    }
}

extension Initialization: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        ["identity": "W₀ = αI (needs m = d; the theory's start)",
         "gaussian": "entries N(0, α²/d)",
         "orthogonal": "α × random orthonormal columns"]
    }
}

extension PolarMethod: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        ["svd": "exact, LAPACK gesdd (on the manifold: sign)",
         "ns3": "cubic Newton–Schulz (1.5, −0.5, 0), --ns-steps iterations",
         "ns5": "Muon's quintic Newton–Schulz (3.4445, −4.7750, 2.0315), --ns-steps iterations",
         "gram": "exact via GᵀG = VS²Vᵀ (dsyevd); faster, error ≈ ε·κ², gesdd when κ > 1e5 (on the manifold: svd)",
         "polar-express": "Polar Express's per-step schedule, safety factor --ns-safety",
         "custom": "one (a, b, c) row per step from --ns-coefficients FILE"]
    }
}

extension TeacherKind: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        ["eigen": "θ* = e₁, an eigenvector of Σ",
         "random": "a random unit vector from the master seed (misaligned with Σ's eigenbasis)"]
    }
}

extension SwitchingRule: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        ["smoothed": "sign(x) ≈ x/√(x²+ε²)",
         "filippov": "event-located switching with sliding",
         "both": "Filippov, plus *_smoothed columns"]
    }
}

extension ODEStepper: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

extension SweepMode: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        ["theory": "the exact summary map from W₀ = αI",
         "simulate": "dense training"]
    }
}

extension Metric: ExpressibleByArgument {}

extension SweepParameter: ExpressibleByArgument {}

extension LearningRateScale: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        ["none": "η as given",
         "muon": "η·√max(1, d/m) (Muon's; 1 for m = d)",
         "adamw-rms": "η·0.2·√max(d, m) (match AdamW's update RMS)"]
    }
}

extension FigureFormat: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        ["svg": "vector, always written",
         "png": "raster at --dpi (rsvg-convert)",
         "pdf": "vector (rsvg-convert)"]
    }
}

/// A heatmap axis's scale (`plot-phase --x-scale/--y-scale`).
enum AxisScaleChoice: String, CaseIterable, ExpressibleByArgument {
    case linear, log

    static var allValueDescriptions: [String: String] {
        ["linear": "evenly spaced values", "log": "decades evenly spaced (positive values only)"]
    }
}

extension Colormap: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        ["viridis": "perceptually uniform, colour-blind safe (default)",
         "greys": "white to black, for print",
         "diverging": "blue through white to vermillion, for a signed quantity around a middle value"]
    }
}
