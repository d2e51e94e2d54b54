import Foundation
import Testing
import Model
@testable import Simulation
import SpecgdSupport

@Suite struct StoppedSimulationTests {
    /// A cancelled token stops before the first step: step 0's row is kept.
    @Test func cancelledRunKeepsStepZero() throws {
        let token = CancellationToken()
        token.cancel(reason: "SIGINT")
        var c = SimulationConfiguration()
        c.dimension = 8
        c.steps = 100
        c.seeds = 2
        c.recordWallTime = false
        let result = try Simulator(c).runKeepingRows(cancellation: token)
        #expect(result.outcome == RunOutcome(status: .interrupted, lastStep: 0, detail: "SIGINT"))
        #expect(result.perSeed.count == 1 && result.perSeed[0].column("step") == [0])
        #expect(result.aggregate.column("step") == [0])
    }

    /// A diverging GD run keeps the rows it recorded before the step that blew up.
    @Test func divergedRunKeepsItsRows() throws {
        var c = SimulationConfiguration()
        c.dimension = 8
        c.alpha = 1
        c.learningRate = 5
        c.steps = 500
        c.every = 1
        c.recordWallTime = false
        let result = try Simulator(c).runKeepingRows()
        #expect(result.outcome.status == .diverged)
        let steps = try #require(result.perSeed[0].column("step"))
        #expect(steps.count == result.outcome.lastStep && steps.last == Double(result.outcome.lastStep - 1))
        #expect(throws: DivergenceError.self) { try Simulator(c).run() }
    }

    /// Repetitions stopped at different points aggregate over the steps all of them recorded.
    @Test func commonPrefixMatchesSteps() {
        let full = Table(columns: ["step", "a"], rows: [[0, 1], [10, 2], [20, 3]])
        let partial = Table(columns: ["step", "a"], rows: [[0, 1], [7, 2]])
        #expect(Aggregate.commonPrefix([full, partial]).map(\.rows.count) == [1, 1])
        #expect(Aggregate.commonPrefix([full, full]) == [full, full])
    }
}
