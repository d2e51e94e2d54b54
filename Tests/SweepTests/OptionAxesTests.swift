import Foundation
import Testing
import SpecgdSupport
@testable import Sweep
import Model
import Theory

/// The optimizer's numeric options as sweep axes (weight-decay, beta1, beta2, ns-steps,
/// adam-eps, precond-eps): each cell is the single theory run of its optimizer, batched rows
/// equal cell by cell, and an axis that no cell's method reads is refused.
@Suite struct OptionAxesTests {
    static func configuration(_ method: Method, _ axes: [String], options: Optimizer? = nil) throws -> SweepConfiguration {
        var base = ModelPoint(method: method, lambda: 8, dimension: 200, alpha: 1e-3, learningRate: 1e-3, steps: 3000, escapeThreshold: 0.5)
        base.optimizerOptions = options
        let grid = try Grid.parse(axes, mode: .theory)
        for axis in grid.axes { base.set(axis, axis.values[0]) }
        var configuration = try SweepConfiguration(mode: .theory, metrics: CovarianceSweepTests.metrics, grid: grid, base: base, derived: [])
        try configuration.checkOptimizer()
        configuration.base = base
        return configuration
    }

    @Test(arguments: [
        (Method(rawValue: "lion")!, ["beta1=0.5,0.9", "beta2=0.9,0.99", "lr=1e-3,3e-3"], nil as Optimizer?),
        (Method.adam, ["adam-eps=1e-8,1e-3", "weight-decay=0,0.5", "lr=1e-3,3e-3"], nil),
        (Method.specgd, ["ns-steps=3:7:3", "lr=1e-3,1e-2"], Optimizer(method: .specgd, polar: .ns5)),
        (Method(rawValue: "shampoo")!, ["precond-eps=1e-8,1e-4", "lr=1e-2,3e-2"], nil),
    ])
    func cellsAreSingleRuns(_ method: Method, _ axes: [String], _ options: Optimizer?) throws {
        let configuration = try Self.configuration(method, axes, options: options)
        _ = try CovarianceSweepTests.expectCellsMatchSingleRuns(configuration)
        // The axis reaches the optimizer: the cells' optimizers differ.
        let optimizers = Set((0..<configuration.grid.count).map { configuration.point(at: $0).optimizer })
        #expect(optimizers.count == configuration.grid.count / 2)  // two learning rates per optimizer
    }

    @Test func anAxisNoCellReadsIsRefused() throws {
        #expect(throws: InputError.self) { try Self.configuration(.gd, ["beta1=0.5,0.9"]) }
        #expect(throws: InputError.self) { try Self.configuration(.adam, ["precond-eps=1e-8,1e-4"]) }
        // On a method axis, an option some cell reads is kept for those cells only.
        let mixed = try Self.configuration(.gd, ["method=adam,lion,gd", "beta2=0.9,0.95"])
        let gd = (0..<mixed.grid.count).map { mixed.point(at: $0) }.filter { $0.method == .gd }
        #expect(gd.allSatisfy { $0.optimizer.beta2 == nil })
    }
}
