using S4AL.Learning.Storage;

namespace S4AL.Reporting.Comparison;

/// <summary>
/// `s4al compare` without the command line: reads the run folders, compares their settings and
/// writes compare.png, compare.md, compare.csv and compare.html into a folder (each atomically).
/// </summary>
public static class ComparisonReport
{
    public const string PlotFile = "compare.png", MarkdownFile = "compare.md", CsvFile = "compare.csv", HtmlFile = "compare.html";

    /// <param name="sweepSetting">The setting names a sweep gave run folders, by the folder's full path (<see cref="SettingGrouping.Group"/>).</param>
    public static ComparisonOutput Write(IReadOnlyList<string> folders, string outDir, Func<string, string?>? sweepSetting = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        var found = RunFolders.Read(folders);
        var comparison = SettingComparison.Of(found.Runs, found.Warnings, sweepSetting is null ? null : folder => sweepSetting(Path.GetFullPath(folder)));
        if (comparison.Finals.Count == 0 && comparison.Curves.Count == 0)
            throw new InvalidDataException($"no run measured an mIoU (runs without labeled validation images): nothing to compare in {string.Join(", ", folders)}");
        var document = ComparisonDocument.Of(comparison);
        var png = ComparisonPlot.Render(comparison);
        Directory.CreateDirectory(outDir);
        var files = new[] { PlotFile, MarkdownFile, CsvFile, HtmlFile }.Select(f => Path.Combine(outDir, f)).ToList();
        AtomicFile.Write(files[0], png);
        AtomicFile.WriteText(files[1], ComparisonMarkdown.Render(document, PlotFile));
        AtomicFile.WriteText(files[2], ComparisonCsv.Render(comparison));
        AtomicFile.WriteText(files[3], ComparisonHtml.Render(document, png));
        return new ComparisonOutput(comparison, files, found.Warnings);
    }
}
