namespace S4AL.Reporting.Comparison;

/// <summary>A full-supervision setting in compare.png: one training round on every pixel, so a horizontal line at its mean final mIoU rather than a curve.</summary>
public sealed record ReferenceLine(string Setting, double MeanIoU, int Seeds);
