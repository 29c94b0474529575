using System.Globalization;
using System.Text;

namespace S4AL.Annotation.Cvat;

/// <summary>
/// labelmap.txt of a VOC layout as CVAT writes it: a "# label:color_rgb:parts:actions" comment,
/// then one "name:r,g,b:parts:actions" line per label. Read and written as datumaro's VocLabelMap
/// parse_from_file and dump_to_file do (cvat-ai/datumaro, datumaro/plugins/voc_format/format.py).
/// </summary>
internal sealed record Labelmap(IReadOnlyList<Labelmap.Label> Labels)
{
    public const string FileName = "labelmap.txt";
    public const string BackgroundName = "background";

    public sealed record Label(string Name, Rgb? Color);

    /// <summary>
    /// The label unlabeled pixels are painted with: the first label coloured black, else the one
    /// named "background" (datumaro's find_background_label); null if there is none.
    /// </summary>
    public Label? Background =>
        Labels.FirstOrDefault(l => l.Color == Rgb.Black) ?? Labels.FirstOrDefault(l => l.Name == BackgroundName);

    /// <summary>
    /// The labelmap CVAT exports for a task with these labels: "background" in black is added when
    /// no label has that name, and the labels are sorted by name (cvat/apps/dataset_manager/formats/
    /// utils.py make_colormap, then the sorting in datumaro's VocConverter._load_categories).
    /// </summary>
    public static Labelmap ForClasses(IReadOnlyList<string> classNames, Func<int, Rgb> color)
    {
        var labels = classNames.Select((name, k) => new Label(name, color(k))).ToList();
        if (!classNames.Contains(BackgroundName)) labels.Add(new Label(BackgroundName, Rgb.Black));
        return new Labelmap(labels.OrderBy(l => l.Name, StringComparer.Ordinal).ToArray());
    }

    public string Format()
    {
        var text = new StringBuilder("# label:color_rgb:parts:actions\n");
        foreach (var label in Labels) text.Append(CultureInfo.InvariantCulture, $"{label.Name}:{label.Color}::\n");
        return text.ToString();
    }

    public static Labelmap Parse(string text, string file)
    {
        var labels = new List<Label>();
        var lines = text.Split('\n');
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var where = $"line {n + 1} \"{line}\"";
            var fields = line.Split(':');
            if (fields.Length != 4)
                throw new AnnotationImportException(file, $"{where} has {fields.Length} ':'-separated fields, expected 4 (label:color_rgb:parts:actions)");
            var name = fields[0];
            if (labels.Any(l => l.Name == name)) throw new AnnotationImportException(file, $"{where}: label '{name}' is defined twice");
            labels.Add(new Label(name, fields[1].Length == 0 ? null : ParseColor(fields[1], file, where)));
        }
        return new Labelmap(labels);
    }

    static Rgb ParseColor(string field, string file, string where)
    {
        var parts = field.Split(',');
        var values = new byte[3];
        if (parts.Length != 3)
            throw new AnnotationImportException(file, $"{where}: colour '{field}' is not an 'r,g,b' triplet");
        for (int c = 0; c < 3; c++)
            if (!byte.TryParse(parts[c].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out values[c]))
                throw new AnnotationImportException(file, $"{where}: colour '{field}' is not an 'r,g,b' triplet of numbers 0-255");
        return new Rgb(values[0], values[1], values[2]);
    }
}
