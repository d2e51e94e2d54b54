import SpecgdSupport
import Testing
import Model
@testable import Simulation

/// The memory estimate, against sums done by hand from the buffers each run allocates.
@Suite struct MemoryEstimateTests {
    @Test func populationGDAtSmallSizeIsTheHandCount() {
        // d = m = 100, GD, population, one spike, steps 0 (2 rows of 10 columns).
        var c = SimulationConfiguration(method: .gd, lambda: 8, dimension: 100, steps: 0, every: 1)
        c.recordWallTime = false
        let dm: Double = 320_000         // 4 d×m matrices (W, ∇L, Σ^{1/2}W, P⊥W) × 10⁴ × 8 bytes
        let gram: Double = 80_000        // A = WᵀΣW, m×m
        let problem: Double = 11_200     // (5d + 3·2·d + 3m) doubles
        let rows: Double = 256           // 2 rows × (10 × 8 + 48)
        let csv: Double = 880            // 2 × (2 rows × 10 values × 22 characters): the text and its copy
        let total: Double = dm + gram + problem + rows + csv
        #expect(c.memoryEstimate.bytes == total)
        #expect(c.memoryEstimate.bytes == 412_336)
    }

    @Test func samplesAndSpecGDAddTheirBuffers() {
        var base = SimulationConfiguration(method: .gd, dimension: 50, steps: 0, every: 1)
        var sampled = base
        sampled.training = .samples(1000)
        // x (n×d), XW (n×m), y and the residuals.
        let samples: Double = 8 * 102_000  // 8 × (n·d + n·m + 2n) = 8 × (50 000 + 50 000 + 2000)
        #expect(sampled.memoryEstimate.bytes - base.memoryEstimate.bytes == samples)
        base.method = .specgd
        base.optimizer.polar = .ns5
        var gd = base
        gd.method = .gd
        // polar(∇L) plus Newton–Schulz's two d×m and three k×k buffers.
        let polar: Double = 8 * 15_000  // 8 × (d·m + 2·d·m + 3k²), d = m = k = 50
        #expect(base.memoryEstimate.bytes - gd.memoryEstimate.bytes == polar)
    }

    @Test func hugeSizesDoNotOverflow() {
        var c = SimulationConfiguration(dimension: 1_000_000_000, initialization: .gaussian, steps: 10, every: 1)
        c.width = 1_000_000_000
        #expect(c.memoryEstimate.bytes > 3e19)  // 4 d×m matrices alone: 3.2e19 bytes, beyond Int.max
        #expect(throws: InputError.self) { try MemoryLimit(bytes: 1e12, origin: "test").check(c.memoryEstimate, for: "simulate") }
    }

    @Test func refusalNamesTheEstimateAndTheLimit() throws {
        let c = SimulationConfiguration(method: .gd, lambda: 8, dimension: 100, steps: 0, every: 1)
        let error = #expect(throws: InputError.self) {
            try MemoryLimit(bytes: 1000, origin: "--memory-limit 1e-06").check(c.memoryEstimate, for: "simulate")
        }
        #expect(error?.message.hasPrefix("simulate needs an estimated 412 kB") == true)
        #expect(error?.message.contains("above the limit of 1.00 kB (--memory-limit 1e-06)") == true)
        try MemoryLimit(bytes: 1e6, origin: "test").check(c.memoryEstimate, for: "simulate")
    }

    @Test func defaultLimitIsHalfThePhysicalMemory() throws {
        let total = try #require(MemoryLimit.physicalMemory())
        #expect(MemoryLimit.default.bytes == total / 2)
        #expect(MemoryLimit.resolve(gigabytes: 3).bytes == 3e9)
    }
}
