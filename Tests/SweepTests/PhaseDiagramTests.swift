import Foundation
import Testing
@testable import Sweep
import SpecgdSupport
import Model
import Theory
import TestSupport

@Suite struct PhaseDiagramTests {
    @Test func criticalLambdaIsWhereRhoIsOne() throws {
        for q in [0.0, 1e-4, 0.3, 0.9] {
            let critical = try #require(PhaseDiagram.criticalLambda(q: q))
            for lr in [1e-4, 1e-2, 0.5] {
                // λ_c = 2/(1 − q) (2 roundings) makes ρ's numerator 1 + η̃(1 + λ_c)(1 − q) equal its
                // denominator 1 + η̃(3 − q) exactly; the roundings of λ_c, 1 + λ, 1 − q, the two
                // products and the sum (numerator), 3 − q, the product and the sum (denominator) and
                // the quotient: ≤ 8 · ε/2 relative, with one ε of slack for λ_c's own chain.
                #expect(abs(EscapeAnalytics.rho(lambda: critical, lr: lr, q: q) - 1) <= 5 * eps)
                #expect(EscapeAnalytics.rho(lambda: critical * 1.1, lr: lr, q: q) > 1)
                #expect(EscapeAnalytics.rho(lambda: critical * 0.9, lr: lr, q: q) < 1)
            }
        }
        #expect(PhaseDiagram.criticalLambda(q: 0) == 2)  // λ_c = 2 at small q (docs/model.md §5)
        #expect(PhaseDiagram.criticalLambda(q: 1) == nil)
    }

    @Test func theoryAmplificationChangesSignAtTheBoundary() throws {
        // Inside the linear window (500 GD steps at η̃ = 1e-3 from α = 1e-3: a, b stay tiny), the
        // spike outgrows the signal exactly for λ > λ_c = 2/(1 − q). No run escapes, so both
        // `amplification` (at escape) and `peak_amplification` (up to escape) are NaN in every
        // sweep cell (docs/model.md §7; they used to hold the last step's ratio and the whole
        // run's max) and plot-phase masks them. Model's EscapeMetrics still keeps the run's max
        // without escape; it carries the growth: ρ^K above λ_c (b/a grows monotonically),
        // exactly 1 (step 0) below.
        let configuration = try Fixture.configuration(grid: ["lambda=0:6:25", "lr=1e-3"], metrics: [.amplification, .peakAmplification],
                                                      steps: 500)
        let directory = try Fixture.directory()
        _ = try Fixture.run(configuration, in: directory)
        let table = try CellsTable(SweepRecord.cellsPath(directory))
        let critical = try #require(PhaseDiagram.criticalLambda(q: configuration.base.bulkMass))
        #expect(try table.numbers("amplification").allSatisfy { $0.isNaN })
        #expect(try table.numbers("peak_amplification").allSatisfy { $0.isNaN })
        for lambda in try table.numbers("lambda") {
            let model = try GroupedModel.spiked(lambda: lambda, dimension: configuration.base.dimension)
            let metrics = try DiscreteMap(model: model, method: .gd, learningRate: 1e-3)
                .escapeMetrics(from: model.identityStart(alpha: 1e-3), steps: 500)
            #expect(metrics.escapeStep == nil)
            let peak = metrics.peakAmplification
            if abs(lambda - critical) < 1e-3 { continue }
            #expect((peak > 1) == (lambda > critical), "λ = \(lambda): peak amplification \(peak)")
            // and by the predicted amount: ρ^K to 2% (the window is not exactly linear).
            let predicted = max(1, pow(EscapeAnalytics.rho(lambda: lambda, lr: 1e-3, q: configuration.base.bulkMass), 500))
            #expect(abs(peak / predicted - 1) < 0.02, "λ = \(lambda): \(peak) vs ρ^K = \(predicted)")
        }
    }

    @Test func diagramReadsTheGridAndSlices() throws {
        let configuration = try Fixture.configuration(grid: ["dim=20,400", "lr=1e-3:1e-1:3:log", "lambda=0:8:5"],
                                                      metrics: [.escapeStep, .finalLoss])
        let directory = try Fixture.directory()
        _ = try Fixture.run(configuration, in: directory)
        #expect(throws: InputError.self) { try PhaseDiagram.load(directory, metric: nil, x: nil, y: nil) }
        let diagram = try PhaseDiagram.load(directory, metric: "final_loss", x: nil, y: nil, at: ["dim": 400])
        #expect(diagram.x.name == "lambda" && diagram.y.name == "lr" && diagram.yLog && !diagram.xLog)
        #expect(diagram.slice == ["dim": 400])
        // Every value is the one in the cell with those coordinates.
        let table = try CellsTable(SweepRecord.cellsPath(directory))
        let dims = try table.numbers("dim"), lambdas = try table.numbers("lambda"), lrs = try table.numbers("lr")
        let losses = try table.numbers("final_loss")
        for r in 0..<table.rows.count where dims[r] == 400 {
            let i = diagram.x.values.firstIndex(of: lambdas[r])!, j = diagram.y.values.firstIndex(of: lrs[r])!
            #expect(diagram.values[j][i] == losses[r])
        }
        // The boundary on (λ, lr) is the vertical line λ = 2/(1 − q), q = (d − 2)α².
        let q = 398 * 1e-6
        // Both sides form q = (d − 2) α² (≤ 2 ε relative apart) and 2/(1 − q) (2 roundings each):
        // ≤ (4 + 4 q/(1 − q)) ε relative. The curve's y = exp(ln lo + (ln hi − ln lo) t): the logs
        // (1 ulp of ≤ ln 1000 each), difference, product, sum and exp: ≤ (1 + 6 ln 1000) ε relative.
        func boundaryBound(_ q: Double) -> Double { (4 + 4 * q / (1 - q)) * eps * 2 / (1 - q) }
        let curveBound = (1 + 6 * log(1000)) * eps
        #expect(!diagram.boundary.isEmpty)
        for (x, y) in diagram.boundary {
            #expect(abs(x - 2 / (1 - q)) <= boundaryBound(q))
            #expect(y >= 1e-3 * (1 - curveBound) && y <= 0.1 * (1 + curveBound))
        }
        // The CSV behind the figure: x fastest.
        let csv = diagram.table
        #expect(csv.columns == ["lambda", "lr", "final_loss"])
        #expect(csv.rows.count == 15 && csv.rows[1][0] == 2 && csv.rows[1][1] == 1e-3)

        // A boundary that moves with d when dim is an axis.
        let moving = try PhaseDiagram.load(directory, metric: "escape_step", x: "dim", y: "lambda", at: ["lr": 0.01])
        for (x, y) in moving.boundary {
            let qx = (x.rounded() - 2) * 1e-6
            #expect(abs(y - 2 / (1 - qx)) <= boundaryBound(qx))
        }
        #expect(throws: InputError.self) { try PhaseDiagram.load(directory, metric: "amplification", x: nil, y: nil, at: ["dim": 400]) }
        #expect(throws: InputError.self) { try PhaseDiagram.load(directory, metric: nil, x: nil, y: nil, at: ["dim": 401]) }
    }
}
