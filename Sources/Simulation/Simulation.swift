/// Simulation: finite-dimensional GD and SpecGD on W ∈ R^{d×m} (MODEL.md §1–2).
public enum SimulationModule {}
