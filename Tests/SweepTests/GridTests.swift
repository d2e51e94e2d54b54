import Model
import Foundation
import Testing
@testable import Sweep
import SpecgdSupport
import TestSupport

@Suite struct GridTests {
    @Test func linearRangeIncludesBothEnds() throws {
        let axis = try GridAxis.parse("lambda=0:16:65", mode: .theory)
        #expect(axis.parameter == .lambda)
        #expect(axis.values.count == 65)
        #expect(axis.values.first == 0 && axis.values.last == 16)
        // v_i = 0 + (16 − 0) · (i/64): i/64 and ×16 are exact in binary, so v_i is 0.25 i exactly.
        for (i, v) in axis.values.enumerated() { #expect(v == 0.25 * Double(i)) }
    }

    /// Interior values are the decimals the spec means: (2i)/100 is the double nearest to
    /// i/50 (one correctly rounded division of exact integers), which the raw u₀ + (u₁ − u₀)t
    /// misses by an ulp at i = 7, 18, … (0.13999999999999999, 0.36000000000000004).
    @Test func linearValuesAreTheShortestDecimals() throws {
        let axis = try GridAxis.parse("lambda=0:1:51", mode: .theory)
        for (i, v) in axis.values.enumerated() { #expect(v == Double(2 * i) / 100, "\(i): \(v)") }
        let lr = try GridAxis.parse("lr=0.02:0.5:25", mode: .theory)
        for (i, v) in lr.values.enumerated() { #expect(v == Double(2 + 2 * i) / 100, "\(i): \(v)") }
    }

    @Test func logRangeIsGeometric() throws {
        let axis = try GridAxis.parse("lr=1e-4:1e-1:4:log", mode: .theory)
        #expect(axis.values.first == 1e-4 && axis.values.last == 1e-1)
        let expected = [1e-4, 1e-3, 1e-2, 1e-1]
        // v = 10^(u₀ + (u₁ − u₀) t), u = log10 of the ends (|u| ≤ u_max): each log10 within 1 ulp
        // plus its literal's ε/4, the difference, t = i/(n − 1), the product and the sum round once
        // each (≤ (4 u_max + 1) ε absolute in the exponent, ×ln 10 relative), pow and the expected
        // literal 1 ulp each: relative ≤ (2 + ln 10 (4 u_max + 1)) ε.
        // Then the interior values are rounded to 15 significant digits: 5·10⁻¹⁵ relative more.
        func logGridBound(_ uMax: Double) -> Double { (2 + log(10) * (4 * uMax + 1)) * eps + 5e-15 }
        for (v, e) in zip(axis.values, expected) { #expect(abs(v - e) / e <= logGridBound(4)) }
        // Constant ratio between neighbours.
        let wide = try GridAxis.parse("lr=2e-5:3:40:log", mode: .theory).values
        let ratios = zip(wide.dropFirst(), wide).map { $0 / $1 }
        // Each ratio of two values (logGridBound each, u_max = log10(1/2e-5) < 4.7) and its
        // division: 2 logGridBound + ε; two ratios against each other: twice that.
        for r in ratios { #expect(abs(r - ratios[0]) <= 2 * (2 * logGridBound(4.7) + eps) * ratios[0]) }
    }

    @Test func explicitListsAndSingleValues() throws {
        #expect(try GridAxis.parse("alpha=1e-3, 0.01,0.1", mode: .theory).values == [1e-3, 0.01, 0.1])
        #expect(try GridAxis.parse("steps=500", mode: .theory).values == [500])
        #expect(try GridAxis.parse("lambda=3:3:1", mode: .theory).values == [3])
        #expect(try GridAxis.parse("escape-threshold=0.25,0.5", mode: .theory).parameter == .escapeThreshold)
    }

    @Test func integerAxesAreRounded() throws {
        #expect(try GridAxis.parse("dim=10:1000:3:log", mode: .theory).values == [10, 100, 1000])
        #expect(try GridAxis.parse("dim=10:20:3", mode: .theory).values == [10, 15, 20])
        #expect(throws: InputError.self) { try GridAxis.parse("dim=10:11:5", mode: .theory) }  // 10,10,11,11,11
    }

    @Test(arguments: [
        ("gamma=1:2:3", "unknown grid axis 'gamma'"),
        ("width=10,20", "unknown grid axis 'width' for mode theory"),
        ("lambda=0:1:0", "count must be >= 1"),
        ("lr=0:1:5:log", "a log range needs start > 0 and stop > 0"),
        ("lr=-1:1:5:log", "a log range needs start > 0"),
        ("lambda=a:b:3", "'a' is not a finite number"),
        ("lambda=0:1:x", "count 'x' is not an integer"),
        ("lambda=0:1:3:lin", "the fourth field may only be 'log'"),
        ("lambda=1,,2", "'' is not a finite number"),
        ("lambda", "expected name=start:stop:count"),
        ("lambda=", "no values after '='"),
        ("lambda=-2,1", "lambda must be > -1"),
        ("lr=0,0.1", "lr must be > 0"),
        ("dim=2,10", "dim must be >= 3"),
        ("lambda=1,2,1", "value 1 appears twice"),
        ("lambda=0:1:2:log:x", "a range is start:stop:count"),
        ("lambda=nan,1", "'nan' is not a finite number"),
    ])
    func badSpecsAreOneLineErrors(spec: String, message: String) {
        do {
            _ = try GridAxis.parse(spec, mode: .theory)
            Issue.record("'\(spec)' was accepted")
        } catch let error as InputError {
            #expect(error.message.contains(message), "\(error.message)")
            #expect(!error.message.contains("\n"))
            #expect(error.message.contains(spec))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func duplicateAxisIsRefused() {
        #expect(throws: InputError("grid axis 'lambda' is given twice; combine its values into one grid")) {
            try Grid.parse(["lambda=1,2", "lr=0.1", "lambda=3"], mode: .theory)
        }
    }

    @Test func cellsAreTheCartesianProductFirstAxisSlowest() throws {
        let grid = try Grid.parse(["lambda=1,2,3", "lr=0.1,0.2"], mode: .theory)
        #expect(grid.count == 6)
        let cells = (0..<6).map(grid.values(at:))
        #expect(cells == [[1, 0.1], [1, 0.2], [2, 0.1], [2, 0.2], [3, 0.1], [3, 0.2]])
        // Ids are distinct, stable and depend on the values, not on the index alone.
        let ids = (0..<6).map(grid.cellID(at:))
        #expect(Set(ids).count == 6)
        #expect(ids == (0..<6).map(grid.cellID(at:)))
        #expect(ids.allSatisfy { $0.count == 18 && $0.hasPrefix("0x") && UInt64($0.dropFirst(2), radix: 16) != nil })
        let shifted = try Grid.parse(["lambda=1,2,4", "lr=0.1,0.2"], mode: .theory)
        #expect(shifted.cellID(at: 0) == ids[0] && shifted.cellID(at: 4) != ids[4])
    }

    @Test func shardsPartitionTheGrid() throws {
        #expect(try Shard.parse("2/3") == Shard(index: 2, count: 3))
        for bad in ["0/3", "4/3", "1/0", "a/b", "3", "1/2/3"] {
            #expect(throws: InputError.self) { try Shard.parse(bad) }
        }
        let grid = try Grid.parse(["lambda=0:1:7", "lr=0.1,0.2"], mode: .theory)
        let base = ModelPoint(method: .gd, lambda: 1, dimension: 10, alpha: 0.01, learningRate: 0.1, steps: 10, escapeThreshold: 0.5)
        var union = [Int]()
        for i in 1...3 {
            let configuration = SweepConfiguration(mode: .theory, metrics: [.escapeStep], grid: grid, base: base,
                                                   shard: try Shard(index: i, count: 3))
            union += configuration.cells
            #expect(configuration.cells.allSatisfy { $0 % 3 == i - 1 })
        }
        #expect(union.sorted() == Array(0..<14))
    }

    @Test func seedsDependOnlyOnMasterAndCell() {
        let seeds = (0..<1000).map { cellSeed(master: 7, cell: $0) }
        #expect(Set(seeds).count == 1000)
        #expect(seeds.allSatisfy { $0 < (1 << 53) })
        #expect(cellSeed(master: 7, cell: 3) == seeds[3])
        #expect(cellSeed(master: 8, cell: 3) != seeds[3])
    }

    @Test func metricsParse() throws {
        #expect(try Metric.parseList(["escape_step,final_loss", "escape_ratio"]) == [.escapeStep, .finalLoss, .escapeRatio])
        #expect(throws: InputError.self) { try Metric.parseList(["escape_time"]) }
        #expect(throws: InputError.self) { try Metric.parseList(["final_loss,final_loss"]) }
    }
}
