import Model
import Simulation
import SpecgdSupport
import Testing
import Theory

/// One trajectory column schema (docs/outputs.md "Trajectory columns"): every table of both
/// backends starts with the same eight columns in the same order, then its own columns.
@Suite struct ColumnSchemaTests {
    /// Written out here, not read from `TrajectoryColumns`: the order is a file format.
    static let shared = ["step", "a", "b", "c", "q", "loss", "alignment", "spike_alignment"]

    @Test func everyBackendStartsWithTheSharedColumns() throws {
        #expect(TrajectoryColumns.shared == Self.shared)
        var theory = TheoryConfiguration(method: .specgd, lambda: 8, dimension: 20, alpha: 1e-3, learningRate: 1e-2,
                                         steps: 50, every: 10)
        var tables = [String: Table]()
        tables["map"] = try runTheory(theory).table
        theory.dynamics = .largeD
        tables["large-d"] = try runTheory(theory).table
        theory.dynamics = .flow
        theory.flow.switching = .both
        tables["flow"] = try runTheory(theory).table
        theory = TheoryConfiguration(method: .gd, lambda: 8, dimension: 20, alpha: 1e-3, learningRate: 1e-2, steps: 50, every: 10)
        theory.covariance = .powerLaw
        tables["power-law"] = try runTheory(theory).table
        var dense = SimulationConfiguration(method: .gd, lambda: 8, dimension: 8, learningRate: 1e-2, steps: 20, every: 10)
        dense.recordWallTime = false
        tables["simulate"] = try runSimulation(dense).perSeed[0]
        for (name, table) in tables {
            #expect(Array(table.columns.prefix(Self.shared.count)) == Self.shared, "\(name)")
        }
        #expect(tables["map"]!.columns == Self.shared + ["T", "a_signed", "b_signed", "c_signed"])
        #expect(tables["flow"]!.columns == Self.shared + ["T", "time", "a_smoothed", "b_smoothed", "c_smoothed", "q_smoothed",
                                                          "loss_smoothed", "alignment_smoothed", "a_signed", "b_signed", "c_signed"])
        #expect(tables["simulate"]!.columns == Self.shared + ["train_loss", "wall_time"])
        #expect(tables["power-law"]!.columns[Self.shared.count + 1].hasPrefix("s_"))
    }
}
