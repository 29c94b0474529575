namespace S4AL.Reporting.Comparison;

/// <summary>The IoU of one class in one cycle; null where cycles.json has none (not measured, or not finite).</summary>
public sealed record ClassIou(string Class, double? Iou);
