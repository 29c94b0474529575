using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace S4AL.Annotation.LabelStudio;

/// <summary>
/// Reads a Label Studio JSON export (a list of tasks with their annotations): per task the latest
/// annotation that was not cancelled (skipped), and in it the "brushlabels" results, decoded from
/// Label Studio's RLE (<see cref="BrushRle"/>). A pixel belongs to a brush where its alpha is not 0,
/// as the editor draws it (canvas.js); where brushes overlap, the higher alpha wins, then the later
/// result. Other result types (the region rectangles) are ignored. A task is matched to its query
/// by data.s4al_image, else by the file name in data.image.
/// </summary>
internal sealed partial class LabelStudioImport(AnnotationQueries queries, string file)
{
    public static Dictionary<int, byte[]> Read(AnnotationQueries queries, string path)
    {
        if (Directory.Exists(path)) throw new AnnotationImportException(path, "is a folder; expected Label Studio's JSON export file");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AnnotationImportException(path, $"cannot read: {e.Message}", e);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new AnnotationImportException(path, $"not valid JSON: {e.Message}", e);
        }
        using (document) return new LabelStudioImport(queries, path).Tasks(document.RootElement);
    }

    Dictionary<int, byte[]> Tasks(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Array)
            throw Fail("the file", $"is a JSON {Kind(root)}; expected the array of tasks of Label Studio's JSON export");
        var result = new Dictionary<int, byte[]>();
        var taskOf = new Dictionary<int, string>();
        int n = 0;
        foreach (var task in root.EnumerateArray())
        {
            n++;
            if (task.ValueKind != JsonValueKind.Object) throw Fail($"task #{n}", $"is a JSON {Kind(task)}, expected an object");
            var where = task.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number ? $"task {id.GetRawText()}" : $"task #{n}";
            var image = MatchImage(Required(task, "data", JsonValueKind.Object, where), where);
            if (!taskOf.TryAdd(image.Index, where))
                throw Fail(where, $"annotates image '{image.Name}', as {taskOf[image.Index]} does; export each image once");
            if (Latest(task, where) is not { } annotation) continue;
            var labels = Brushes(annotation.Element, image, $"{where} (image '{image.Name}') annotations[{annotation.Index}]");
            if (RegionLabels.Keep(image, labels) is { } kept) result[image.Index] = kept;
        }
        return result;
    }

    QueriedImage MatchImage(JsonElement data, string where)
    {
        if (data.TryGetProperty(LabelStudioLayout.ImageKey, out var named))
        {
            if (named.ValueKind != JsonValueKind.String) throw Fail(where, $"data.{LabelStudioLayout.ImageKey} is a JSON {Kind(named)}, expected a string");
            return queries.FindByName(named.GetString()!)
                ?? throw Fail(where, $"image '{named.GetString()}' (data.{LabelStudioLayout.ImageKey}) is not among the queries of cycle {queries.Cycle}");
        }
        var url = String(data, LabelStudioLayout.ImageName, $"{where} data");
        var stem = FileStem(url);
        return queries.FindByName(stem)
            ?? (UploadPrefix().Match(stem) is { Success: true } m ? queries.FindByName(m.Groups[1].Value) : null)
            ?? throw Fail(where, $"image '{stem}' (data.{LabelStudioLayout.ImageName} '{url}') is not among the queries of cycle {queries.Cycle}");
    }

    /// <summary>The file stem of an image URL: "/data/local-files/?d=x/images/a.png" and "https://host/a.png?sig=..." name "a".</summary>
    static string FileStem(string url)
    {
        var path = Uri.UnescapeDataString(url);
        var local = path.IndexOf("?d=", StringComparison.Ordinal);
        path = local >= 0 ? path[(local + 3)..] : path.Split('?', '#')[0];
        path = path[(path.LastIndexOfAny(['/', '\\']) + 1)..];
        var dot = path.LastIndexOf('.');
        return dot > 0 ? path[..dot] : path;
    }

    // Files uploaded through Label Studio's UI are stored as "<8 hex digits>-<original name>".
    [GeneratedRegex("^[0-9a-f]{8}-(.+)$")]
    private static partial Regex UploadPrefix();

    /// <summary>The latest annotation not cancelled (by updated_at, else created_at, else position), or null.</summary>
    (JsonElement Element, int Index)? Latest(JsonElement task, string where)
    {
        if (!task.TryGetProperty("annotations", out var annotations) || annotations.ValueKind == JsonValueKind.Null) return null;
        if (annotations.ValueKind != JsonValueKind.Array) throw Fail(where, $"annotations is a JSON {Kind(annotations)}, expected an array");
        (JsonElement, int)? latest = null;
        var latestTime = DateTimeOffset.MinValue;
        int a = -1;
        foreach (var annotation in annotations.EnumerateArray())
        {
            a++;
            var at = $"{where} annotations[{a}]";
            if (annotation.ValueKind != JsonValueKind.Object) throw Fail(at, $"is a JSON {Kind(annotation)}, expected an object");
            if (annotation.TryGetProperty("was_cancelled", out var cancelled))
            {
                if (cancelled.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                    throw Fail(at, $"was_cancelled is a JSON {Kind(cancelled)}, expected true or false");
                if (cancelled.ValueKind == JsonValueKind.True) continue;
            }
            var time = Time(annotation, "updated_at", at) ?? Time(annotation, "created_at", at) ?? DateTimeOffset.MinValue;
            if (latest is null || time >= latestTime) (latest, latestTime) = ((annotation, a), time);
        }
        return latest;
    }

    DateTimeOffset? Time(JsonElement annotation, string field, string where)
    {
        if (!annotation.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String ||
            !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            throw Fail(where, $"{field} {value.GetRawText()} is not a timestamp");
        return time;
    }

    byte[] Brushes(JsonElement annotation, QueriedImage image, string where)
    {
        var labels = new byte[image.Height * image.Width];
        Array.Fill(labels, AnnotationQueries.Unlabeled);
        var alphaOf = new byte[labels.Length];
        var results = Required(annotation, "result", JsonValueKind.Array, where);
        int r = -1;
        foreach (var result in results.EnumerateArray())
        {
            r++;
            var at = $"{where}.result[{r}]";
            if (result.ValueKind != JsonValueKind.Object) throw Fail(at, $"is a JSON {Kind(result)}, expected an object");
            // brush.py compares the type case-insensitively; so do we.
            if (!string.Equals(String(result, "type", at), LabelStudioLayout.BrushType, StringComparison.OrdinalIgnoreCase)) continue;
            var (classIndex, canvas) = Brush(result, image, at);
            for (int i = 0; i < labels.Length; i++)
            {
                var alpha = canvas[i * LabelStudioLayout.Channels + 3];
                if (alpha == 0 || alpha < alphaOf[i]) continue;
                labels[i] = (byte)classIndex;
                alphaOf[i] = alpha;
            }
        }
        return labels;
    }

    (int ClassIndex, byte[] Canvas) Brush(JsonElement result, QueriedImage image, string where)
    {
        int width = Integer(result, "original_width", where), height = Integer(result, "original_height", where);
        if (width != image.Width || height != image.Height)
            throw Fail(where, $"original_width x original_height is {width}x{height}, but image '{image.Name}' was queried at {image.Width}x{image.Height}");
        var value = Required(result, "value", JsonValueKind.Object, where);
        if (value.TryGetProperty("format", out var format) && !(format.ValueKind == JsonValueKind.String && format.GetString() == "rle"))
            throw Fail(where, $"value.format is {format.GetRawText()}; only \"rle\" brushes exist");
        var names = Required(value, LabelStudioLayout.BrushType, JsonValueKind.Array, $"{where} value");
        if (names.GetArrayLength() == 0 || names[0].ValueKind != JsonValueKind.String)
            throw Fail(where, $"value.{LabelStudioLayout.BrushType} must hold the class name as its first string");
        var className = names[0].GetString()!;
        int classIndex = queries.ClassIndexOf(className);
        if (classIndex < 0)
            throw Fail(where, $"class '{className}' is not one of the {queries.ClassNames.Count} classes ({string.Join(", ", queries.ClassNames)})");

        var rle = Required(value, "rle", JsonValueKind.Array, $"{where} value");
        int values = image.Height * image.Width * LabelStudioLayout.Channels;
        // Refused before a byte is copied: the count bounds what the decoder would walk through.
        if (rle.GetArrayLength() > BrushRle.MaxEncodedBytes(values))
            throw Fail(where, $"value.rle has {rle.GetArrayLength()} numbers, more than any RLE of a {image.Width}x{image.Height} brush needs ({BrushRle.MaxEncodedBytes(values)})");
        var bytes = new byte[rle.GetArrayLength()];
        int k = 0;
        foreach (var number in rle.EnumerateArray())
        {
            if (number.ValueKind != JsonValueKind.Number || !number.TryGetByte(out bytes[k]))
                throw Fail(where, $"value.rle[{k}] is {number.GetRawText()}, not a byte (0-255)");
            k++;
        }
        try
        {
            return (classIndex, BrushRle.Decode(bytes, values));
        }
        catch (InvalidDataException e)
        {
            throw Fail(where, $"value.rle: {e.Message}");
        }
    }

    JsonElement Required(JsonElement parent, string field, JsonValueKind kind, string where)
    {
        if (!parent.TryGetProperty(field, out var value)) throw Fail(where, $"has no field '{field}'");
        if (value.ValueKind != kind) throw Fail(where, $"'{field}' is a JSON {Kind(value)}, expected {kind.ToString().ToLowerInvariant()}");
        return value;
    }

    string String(JsonElement parent, string field, string where) => Required(parent, field, JsonValueKind.String, where).GetString()!;

    int Integer(JsonElement parent, string field, string where)
    {
        var value = Required(parent, field, JsonValueKind.Number, where);
        // Label Studio may write sizes as 640.0; anything else with a fraction is not a pixel count.
        if (value.TryGetInt32(out var n)) return n;
        if (value.TryGetDouble(out var d) && d == Math.Floor(d) && d is >= 0 and <= int.MaxValue) return (int)d;
        throw Fail(where, $"'{field}' is {value.GetRawText()}, not a whole number of pixels");
    }

    static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    AnnotationImportException Fail(string where, string cause) => new(file, $"{where}: {cause}");
}
