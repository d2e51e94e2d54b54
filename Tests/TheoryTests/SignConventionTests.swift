import Foundation
import Testing
import Model
@testable import Theory
import SpecgdSupport

/// docs/model.md §7: a, b, c are magnitudes in every table; the signed coefficients are extra
/// columns at the end.
@Suite struct SignConventionTests {
    /// SpecGD's b chatters around 0 after escape (±η steps), so its signed coefficient goes
    /// negative: the b column must be its magnitude, the b_signed column the signed value.
    @Test(arguments: [TheoryDynamics.map, .largeD])
    func specgdChatterIsReportedAsMagnitude(dynamics: TheoryDynamics) throws {
        var config = TheoryConfiguration(method: .specgd, lambda: 8, dimension: 100, alpha: 1e-3,
                                         learningRate: 1e-3, steps: 3000, every: 1)
        config.dynamics = dynamics
        let table = try runTheory(config).table
        #expect(Array(table.columns.suffix(3)) == ["a_signed", "b_signed", "c_signed"])
        #expect(Array(table.columns.prefix(9)) == ["step", "a", "b", "c", "q", "loss", "alignment", "spike_alignment", "T"])
        for name in ["a", "b", "c"] {
            let magnitude = try #require(table.column(name)), signed = try #require(table.column("\(name)_signed"))
            #expect(zip(magnitude, signed).allSatisfy { $0 == abs($1) }, "\(name) = |\(name)_signed| on every row")
        }
        if dynamics == .map {
            #expect(table.column("b_signed")!.contains { $0 < 0 }, "the chatter reaches negative b (the case this convention is for)")
        }
    }

    @Test func flowTablesCarryTheSignedColumnsLast() throws {
        var config = TheoryConfiguration(method: .specgd, lambda: 8, dimension: 100, alpha: 1e-3, learningRate: 1e-3, steps: 600, every: 50)
        config.dynamics = .flow
        config.flow.switching = .both
        let table = try runTheory(config).table
        #expect(Array(table.columns.suffix(3)) == ["a_signed", "b_signed", "c_signed"])
        #expect(table.columns.contains("b_smoothed"))
        #expect(table.column("b_smoothed")!.allSatisfy { $0 >= 0 })
        #expect(zip(table.column("b")!, table.column("b_signed")!).allSatisfy { $0 == abs($1) })
    }
}
