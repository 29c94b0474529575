namespace S4AL.Reporting.Comparison;

/// <summary>Per-class IoU of each setting's final cycle, the mean over the seeds whose final cycle measured it.</summary>
public sealed record ClassIouTable(IReadOnlyList<string> Settings, IReadOnlyList<ClassIouRow> Rows)
{
    public static ClassIouTable Of(IReadOnlyList<ComparedSetting> settings)
    {
        var finals = settings.Select(s => s.Runs.Where(r => r.Final.MeanIoU is not null).Select(r => r.Final).ToList()).ToList();
        // One dataset, so one class list; the union keeps a class that a run of an older layout lacks.
        var classes = finals.SelectMany(f => f.SelectMany(c => c.ClassIoU.Select(i => i.Class))).Distinct(StringComparer.Ordinal).ToList();
        var rows = classes.Select(name => new ClassIouRow(name, finals.Select(f =>
            {
                var values = f.SelectMany(c => c.ClassIoU).Where(i => i.Class == name && i.Iou is not null).Select(i => i.Iou!.Value).ToList();
                return values.Count > 0 ? values.Average() : (double?)null;
            }).ToList())).ToList();
        return new ClassIouTable(settings.Select(s => s.Name).ToList(), rows);
    }
}
