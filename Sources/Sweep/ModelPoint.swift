import SpecgdSupport
import Simulation
import Theory

/// Every model option one cell needs: the command's options, with the cell's axis values
/// written over them. Codable so sweep.json holds the base point the grid varies.
public struct ModelPoint: Sendable, Codable, Equatable {
    public var method: Method
    public var lambda: Double
    public var dim: Int
    public var alpha: Double
    public var lr: Double
    public var steps: Int
    public var escapeThreshold: Double
    /// Simulation only: hidden width m (nil = m = d, the paper's square case).
    public var width: Int?
    /// Simulation only: finite sample count n (nil = population loss).
    public var samples: Int?
    /// Simulation only: W₀ (nil = identity, W₀ = αI, the invariant manifold of theory mode).
    public var initialization: Initialization?
    /// The seed of this cell's run. In the base point: the master seed.
    public var seed: UInt64

    public init(method: Method, lambda: Double, dim: Int, alpha: Double, lr: Double, steps: Int,
                escapeThreshold: Double, width: Int? = nil, samples: Int? = nil,
                initialization: Initialization? = nil, seed: UInt64 = 0) {
        self.method = method
        self.lambda = lambda
        self.dim = dim
        self.alpha = alpha
        self.lr = lr
        self.steps = steps
        self.escapeThreshold = escapeThreshold
        self.width = width
        self.samples = samples
        self.initialization = initialization
        self.seed = seed
    }

    public mutating func set(_ parameter: SweepParameter, _ value: Double) {
        switch parameter {
        case .lambda: lambda = value
        case .lr: lr = value
        case .dim: dim = Int(value)
        case .alpha: alpha = value
        case .steps: steps = Int(value)
        case .escapeThreshold: escapeThreshold = value
        case .width: width = Int(value)
        case .samples: samples = Int(value)
        case .seed: seed = UInt64(value)
        }
    }

    /// q = p α² = (d − 2) α²: the initial bulk mass that sets the boundary λ_c.
    public var bulkMass: Double { Double(dim - 2) * alpha * alpha }
}

/// Per-cell seeds: a SplitMix64 mix of the master seed and the cell index, cut to 53 bits
/// so the seed column of cells.csv holds it exactly. Depends on nothing but those two, so a
/// cell's randomness is the same whatever the job count, shard or resume history.
public func cellSeed(master: UInt64, cell: Int) -> UInt64 {
    var z = master &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(cell + 1)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return z >> 11
}
