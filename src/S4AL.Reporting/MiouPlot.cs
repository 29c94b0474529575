using ScottPlot;

namespace S4AL.Reporting;

/// <summary>What every mIoU-against-labeled-pixels plot shares, so the run's and the comparison's look alike.</summary>
internal static class MiouPlot
{
    public static Plot Create(string title)
    {
        var plot = new Plot();
        // The same family as the acquisition images, so the figures look alike.
        plot.Font.Set(ReportFonts.Typeface.FamilyName);
        plot.Title(title);
        plot.Axes.Title.Label.Bold = true;
        plot.XLabel("labeled pixels (% of pool)");
        plot.YLabel("mIoU");
        return plot;
    }
}
