/// Plot: dependency-free SVG figures (axes, log scales, legends, bands, panels, heatmaps).
public enum PlotModule {}
