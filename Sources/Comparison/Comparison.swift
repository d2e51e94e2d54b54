/// Comparison: theory over empirics, escape-stage checks, figures and notebooks.
public enum ComparisonModule {}
