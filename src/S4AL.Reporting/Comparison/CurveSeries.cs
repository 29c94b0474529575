namespace S4AL.Reporting.Comparison;

/// <summary>The learning curve of one setting as compare.png draws it: a line through the means, a band from min to max.</summary>
public sealed record CurveSeries(string Setting, IReadOnlyList<CurveBand> Points)
{
    /// <summary>Per cycle over the setting's runs; cycles no run measured have no point.</summary>
    public static CurveSeries Of(ComparedSetting setting)
    {
        var points = setting.Runs
            .SelectMany(r => r.Cycles.Where(c => c.MeanIoU is not null))
            .GroupBy(c => c.Cycle)
            .OrderBy(g => g.Key)
            .Select(g => new CurveBand(g.Key, 100 * g.Average(c => c.LabeledPixelShare),
                g.Average(c => c.MeanIoU!.Value), g.Min(c => c.MeanIoU!.Value), g.Max(c => c.MeanIoU!.Value), g.Count()))
            .ToList();
        return new CurveSeries(setting.Name, points);
    }
}
