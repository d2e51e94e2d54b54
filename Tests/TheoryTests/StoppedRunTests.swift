import Foundation
import Testing
import Model
@testable import Theory
import SpecgdSupport

/// Runs that stop early keep their rows: a cancelled token (what the CLI's SIGINT/SIGTERM
/// handler sets) or a divergence.
@Suite struct StoppedRunTests {
    /// A token cancelled before the run: the map stops at its first poll, and the state it
    /// reached is the last row, whatever --every.
    @Test func cancelledMapKeepsItsRowsAndTheStateReached() throws {
        let token = CancellationToken()
        token.cancel(reason: "SIGTERM")
        let config = TheoryConfiguration(method: .gd, lambda: 8, dimension: 100, alpha: 1e-3, learningRate: 1e-4,
                                         steps: 10 * DiscreteMap.pollInterval, every: 1000)
        let result = try runTheoryKeepingRows(config, cancellation: token)
        let k = DiscreteMap.pollInterval
        #expect(result.outcome == RunOutcome(status: .interrupted, lastStep: k, detail: "SIGTERM"))
        let steps = try #require(result.table.column("step"))
        #expect(steps.last == Double(k) && steps.count == k / 1000 + 2, "rows every 1000 steps, then the state reached")
        let full = try DiscreteMap(model: .spiked(lambda: 8, dimension: 100), method: .gd, learningRate: 1e-4)
            .final(from: [1e-3, 1e-3, 1e-3], steps: k)
        #expect(result.final == full && result.table.column("a_signed")!.last == full[0])
        #expect(result.summary.escape.steps == k)
        #expect(throws: RunInterrupted.self) { try result.requireCompleted() }
    }

    @Test(arguments: [TheoryDynamics.flow, .largeD])
    func cancelledFlowsAndLargeDStopToo(dynamics: TheoryDynamics) throws {
        let token = CancellationToken()
        token.cancel()
        var config = TheoryConfiguration(method: .gd, lambda: 8, dimension: 100, alpha: 1e-3, learningRate: 1e-3,
                                         steps: 2 * DiscreteMap.pollInterval, every: 100)
        config.dynamics = dynamics
        let result = try runTheoryKeepingRows(config, cancellation: token)
        #expect(result.outcome.status == .interrupted)
        #expect(!result.table.rows.isEmpty && result.table.rows.count < 2 * DiscreteMap.pollInterval / 100)
        #expect(result.summary.finiteDimensionDistances == nil)
    }

    /// Divergence: the rows before it are kept, the outcome names the step, and `runTheory`
    /// still throws the same one-line error.
    @Test func divergedMapKeepsItsTrajectory() throws {
        let config = TheoryConfiguration(method: .gd, lambda: 8, dimension: 10, alpha: 1, learningRate: 5, steps: 100, every: 1)
        let result = try runTheoryKeepingRows(config)
        #expect(result.outcome.status == .diverged && result.outcome.lastStep == 4)
        #expect(result.table.column("step") == [0, 1, 2, 3])
        let error = try #require(result.divergence)
        #expect(throws: error) { try runTheory(config) }
    }

    @Test func completedRunsSayCompleted() throws {
        let config = TheoryConfiguration(method: .specgd, lambda: 8, dimension: 100, alpha: 1e-3, learningRate: 1e-3, steps: 50, every: 10)
        let result = try runTheoryKeepingRows(config, cancellation: CancellationToken())
        #expect(result.outcome == .completed(50) && result.divergence == nil)
    }
}
