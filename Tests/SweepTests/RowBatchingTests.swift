import Foundation
import Testing
import SpecgdSupport
@testable import Sweep
import Model
import Theory

/// Theory sweeps evaluate rows of cells that differ only in lr through the batched maps
/// (`TheoryEvaluator.outcomes`); every cell must be what it is alone, byte for byte in
/// cells.csv, for plain and non-plain optimizers, escape_ratio's sides and diverging cells.
@Suite struct RowBatchingTests {
    /// `TheoryEvaluator` with rows switched off: every cell alone (the reference).
    struct CellByCell: CellEvaluator {
        let inner = TheoryEvaluator()
        func evaluate(_ point: ModelPoint, metrics: [Metric], ratio: EscapeRatio, control: CellControl) throws -> [Double] {
            try inner.evaluate(point, metrics: metrics, ratio: ratio, control: control)
        }
        func validate(_ point: ModelPoint, ratio: EscapeRatio?) throws { try inner.validate(point, ratio: ratio) }
    }

    static let escapeMetrics: [Metric] = [.escapeStep, .alignmentAtEscape, .finalAlignment, .finalLoss, .amplification,
                                           .peakAmplification, .escapeRatio]

    static func cells(_ configuration: SweepConfiguration, _ evaluator: any CellEvaluator, jobs: Int) throws -> String {
        let directory = try Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try SweepRunner(configuration: configuration, directory: directory, jobs: jobs, progress: .off, command: ["test"])
            .run(evaluator: evaluator)
        return try String(contentsOfFile: SweepRecord.cellsPath(directory), encoding: .utf8)
    }

    static func configuration(_ axes: [String]) throws -> SweepConfiguration {
        var base = ModelPoint(method: .specgd, lambda: 8, dimension: 200, alpha: 1e-3, learningRate: 1e-3, steps: 1500, escapeThreshold: 0.5, seed: 7)
        base.optimizerOptions = Optimizer(method: .specgd, polar: .ns5, momentum: 0.9, nesterov: true)
        var configuration = SweepConfiguration(mode: .theory, metrics: Self.escapeMetrics, grid: try Grid.parse(axes, mode: .theory), base: base)
        try configuration.setRatio(try EscapeRatio.parse("specgd/gd"))
        return configuration
    }

    /// Rows that run batched (no cell diverges), escaping and non-escaping cells among them.
    @Test(arguments: [["method=gd,specgd"], ["method=specgd,signgd,adam"]])
    func rowsEqualCellByCell(_ methodAxis: [String]) throws {
        let configuration = try Self.configuration(methodAxis + ["lambda=1,16", "lr=1e-4:1e-2:9:log"])
        let rows = try Self.cells(configuration, TheoryEvaluator(), jobs: 2)
        #expect(rows == (try Self.cells(configuration, CellByCell(), jobs: 1)))
        #expect(rows.contains(",ok,") && rows.contains("nan") && !rows.contains(",diverged,"))
    }

    /// A row with a diverging cell falls back to cell by cell: the diverged cell is recorded,
    /// its neighbours keep their values.
    @Test func aDivergingCellKeepsItsRow() throws {
        let configuration = try Self.configuration(["method=gd,specgd", "lambda=16", "lr=1e-3,0.01,3"])
        let rows = try Self.cells(configuration, TheoryEvaluator(), jobs: 1)
        #expect(rows == (try Self.cells(configuration, CellByCell(), jobs: 1)))
        #expect(rows.contains(",diverged,") && rows.contains(",ok,"))
    }

    /// Work items: every pending cell exactly once, rows never mixed, chunks ≤ the maximum and
    /// about two per worker; an evaluator without rows gets one cell per item.
    @Test func batchesCoverEveryCellOnce() throws {
        let configuration = try Fixture.configuration(grid: ["lambda=0:16:9", "lr=1e-4:1e-1:40:log"], metrics: [.escapeStep])
        let pending = Array(configuration.cells.dropFirst(5))
        for jobs in [1, 2, 8] {
            let items = SweepRunner.batches(pending, configuration: configuration, evaluator: TheoryEvaluator(), jobs: jobs)
            #expect(items.flatMap { $0.map(\.cell) }.sorted() == pending.sorted())
            #expect(items.joined().allSatisfy { $0.point == configuration.point(at: $0.cell) })
            #expect(items.allSatisfy { $0.count <= SweepRunner.maximumBatch })
            for item in items {
                let keys = item.map { TheoryEvaluator().rowKey($0.point)! }
                #expect(keys.allSatisfy { $0 == keys[0] })
            }
            #expect(items.count >= min(2 * jobs, pending.count / SweepRunner.maximumBatch))
        }
        #expect(SweepRunner.batches(pending, configuration: configuration, evaluator: CellByCell(), jobs: 2).allSatisfy { $0.count == 1 })
    }
}
