import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): used only to expand one 64-bit seed into a
/// well-mixed xoshiro state, as the xoshiro authors recommend.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    package var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman & Vigna 2018), implemented here so runs are reproducible bit for
/// bit on every platform (Swift's SystemRandomNumberGenerator is not seedable).
///
/// Streams: `Xoshiro256(seed:stream:)` seeds through SplitMix64 and then applies the
/// generator's jump function `stream` times; each jump advances 2^128 draws, so the streams
/// of one master seed never overlap (one stream per repetition).
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)
    /// The spare normal deviate from the last Box–Muller pair.
    private var spareGaussian: Double?

    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
        if state == (0, 0, 0, 0) { state.0 = 1 }  // the all-zero state is a fixed point
    }

    /// A generator at an explicit state (must not be all zero); for tests against the
    /// reference implementation.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro state must not be all zero")
        self.state = state
    }

    public init(seed: UInt64, stream: Int) {
        precondition(stream >= 0, "stream index must be non-negative")
        self.init(seed: seed)
        for _ in 0..<stream { jump() }
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotl(state.3, 45)
        return result
    }

    /// Advances by 2^128 draws (the reference jump polynomial).
    public mutating func jump() {
        let polynomial: [UInt64] = [0x180E_C6D3_3CFD_0ABA, 0xD5A6_1266_F0C9_392C,
                                    0xA958_2618_E03F_C9AA, 0x39AB_DC45_29B1_661C]
        var s: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for word in polynomial {
            for bit in 0..<64 {
                if word & (UInt64(1) << UInt64(bit)) != 0 {
                    s.0 ^= state.0; s.1 ^= state.1; s.2 ^= state.2; s.3 ^= state.3
                }
                _ = next()
            }
        }
        state = s
        spareGaussian = nil
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal N(0, 1) by the Box–Muller transform (pairs; the second is kept).
    public mutating func gaussian() -> Double {
        if let spare = spareGaussian {
            spareGaussian = nil
            return spare
        }
        // u1 in (0, 1] so log(u1) is finite.
        let u1 = 1 - uniform()
        let u2 = uniform()
        let radius = (-2 * log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareGaussian = radius * sin(angle)
        return radius * cos(angle)
    }

    /// Gamma(shape k, scale 1) by Marsaglia & Tsang (2000, ACM TOMS 26:363), exact for k ≥ 1
    /// (a rejection method); k < 1 through Gamma(k) = Gamma(k + 1)·U^(1/k) (their §6).
    public mutating func gamma(shape k: Double) -> Double {
        precondition(k > 0, "gamma shape must be positive")
        if k < 1 {
            let u = 1 - uniform()  // (0, 1]
            return gamma(shape: k + 1) * Foundation.pow(u, 1 / k)
        }
        let d = k - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = gaussian()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = 1 - uniform()  // (0, 1]: log(u) finite
            if u < 1 - 0.0331 * (x * x) * (x * x) { return d * v }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// χ²_k = 2·Gamma(k/2): the law of a sum of k squared standard normals, in O(1).
    public mutating func chiSquare(degrees k: Double) -> Double { 2 * gamma(shape: k / 2) }

    /// Fills `buffer` with independent N(0, scale²) deviates.
    public mutating func fillGaussian(_ buffer: inout [Double], scale: Double = 1) {
        for i in 0..<buffer.count { buffer[i] = scale * gaussian() }
    }
}
