/// Sweep: parallel, resumable, shardable parameter sweeps into phase diagrams.
public enum SweepModule {}
