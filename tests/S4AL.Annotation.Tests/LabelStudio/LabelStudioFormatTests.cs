using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using S4AL.Annotation.LabelStudio;

namespace S4AL.Annotation.Tests.LabelStudio;

public class LabelStudioFormatTests
{
    [Fact]
    public void Export_writes_one_task_per_image_with_the_prediction_as_brushes_and_the_regions_as_rectangles()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        AnnotationExport.Write(AnnotationFormat.LabelStudio, queries, dir["out"]);

        var tasks = JsonNode.Parse(File.ReadAllText(dir["out/tasks.json"]))!.AsArray();
        Assert.Equal(2, tasks.Count);
        var street = tasks[0]!;
        Assert.Equal("/data/local-files/?d=out/images/street.png", (string)street["data"]!["image"]!);
        Assert.Equal("street", (string)street["data"]!["s4al_image"]!);
        Assert.True(File.Exists(dir["out/images/street.png"]));

        var results = street["predictions"]![0]!["result"]!.AsArray();
        var rectangle = results.Single(r => (string)r!["id"]! == "r5")!["value"]!;
        Assert.Equal([50.0, 50.0, 50.0, 50.0], new[] { "x", "y", "width", "height" }.Select(k => (double)rectangle[k]!));

        // The brushes of a region are the prediction inside it, one class each.
        var canvas = new byte[48];
        Array.Fill(canvas, AnnotationQueries.Unlabeled);
        foreach (var brush in results.Where(r => (string)r!["type"]! == "brushlabels"))
        {
            var classIndex = Array.IndexOf(TestQueries.Classes, (string)brush!["value"]!["brushlabels"]![0]!);
            var rgba = BrushRle.Decode(brush["value"]!["rle"]!.AsArray().Select(n => (byte)n!).ToArray(), 48 * 4);
            for (int i = 0; i < 48; i++)
                if (rgba[4 * i + 3] != 0)
                {
                    Assert.Equal(AnnotationQueries.Unlabeled, canvas[i]);
                    Assert.True(rgba[4 * i] == 255 && rgba[4 * i + 1] == 255 && rgba[4 * i + 2] == 255);
                    canvas[i] = (byte)classIndex;
                }
        }
        Assert.Equal(TestQueries.InsideRegions(queries.Images[0], TestQueries.StreetPrediction()), canvas);
        // field has no prediction: its rectangle only.
        Assert.Single(tasks[1]!["predictions"]![0]!["result"]!.AsArray());
    }

    [Fact]
    public void The_labeling_configuration_names_the_classes_and_the_fields_the_tasks_use()
    {
        using var dir = new TempFolder();
        AnnotationExport.Write(AnnotationFormat.LabelStudio, TestQueries.Create(dir.Path), dir["out"]);
        var view = XElement.Load(dir["out/labeling-config.xml"]);
        Assert.Equal("$image", view.Element("Image")!.Attribute("value")!.Value);
        var brush = view.Element("BrushLabels")!;
        Assert.Equal(("tag", "image"), (brush.Attribute("name")!.Value, brush.Attribute("toName")!.Value));
        Assert.Equal(TestQueries.Classes, brush.Elements("Label").Select(l => l.Attribute("value")!.Value));
        Assert.Equal("#800000", brush.Elements("Label").First().Attribute("background")!.Value);
        Assert.Equal("region", view.Element("RectangleLabels")!.Attribute("name")!.Value);
        Assert.Contains("LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT=" + dir.Path, File.ReadAllText(dir["out/README.txt"]));
    }

    [Fact]
    public void Round_trip_carries_exactly_the_region_whose_brush_was_edited()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        AnnotationExport.Write(AnnotationFormat.LabelStudio, queries, dir["out"]);
        var tasks = JsonNode.Parse(File.ReadAllText(dir["out/tasks.json"]))!.AsArray();

        // The annotator accepts the prediction, then repaints region 5 all car (and a stroke past it).
        var street = tasks[0]!;
        var result = new JsonArray(street["predictions"]![0]!["result"]!.AsArray()
            .Where(r => !((string)r!["id"]!).StartsWith("r5-", StringComparison.Ordinal))
            .Select(r => r!.DeepClone()).ToArray());
        var car = new byte[48];
        for (int y = 2; y < 6; y++)
            for (int x = 4; x < 8; x++)
                car[y * 8 + x] = 255;
        result.Add(Brush("car", car, 6, 8));
        street["id"] = 31;
        street["annotations"] = new JsonArray(Annotation(result));
        tasks[1]!["id"] = 32;
        tasks[1]!["annotations"] = new JsonArray();
        File.WriteAllText(dir["export.json"], tasks.ToJsonString());

        var labels = AnnotationImport.Read(AnnotationFormat.LabelStudio, queries, dir["export.json"]);

        var expected = TestQueries.InsideRegions(queries.Images[0], TestQueries.StreetPrediction());
        for (int y = 3; y < 6; y++)
            for (int x = 4; x < 8; x++)
                expected[y * 8 + x] = TestQueries.Car;
        Assert.Equal(expected, labels[7]);
        Assert.Single(labels);
    }

    [Fact]
    public void Reads_the_export_label_studios_code_wrote()
    {
        // Fixtures/label_studio_brush.py: the latest annotation (road rows 3-5, then car x 1-2, y 1-3)
        // wins over an older all-sky one and a later cancelled one; field is matched by its upload name.
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        var labels = AnnotationImport.Read(AnnotationFormat.LabelStudio, queries, TestQueries.Fixture("label-studio-export.json"));

        var street = new byte[48];
        for (int i = 0; i < 48; i++) street[i] = i / 8 >= 3 ? (byte)TestQueries.Road : AnnotationQueries.Unlabeled;
        for (int y = 1; y < 4; y++)
            for (int x = 1; x < 3; x++)
                street[y * 8 + x] = TestQueries.Car;
        Assert.Equal(TestQueries.InsideRegions(queries.Images[0], street), labels[7]);
        var field = Enumerable.Range(0, 20).Select(i => i < 10 ? (byte)TestQueries.Sky : AnnotationQueries.Unlabeled).ToArray();
        Assert.Equal(field, labels[9]);
    }

    [Fact]
    public void Overlapping_brushes_take_the_higher_alpha_then_the_later_result()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        var strong = new byte[48];
        var weak = new byte[48];
        var later = new byte[48];
        strong[0] = 255; weak[0] = 90;   // (0,0): car 255 beats road 90
        weak[1] = 90;                    // (1,0): only road
        strong[2] = 200; later[2] = 200; // (2,0): equal alpha, the later sky wins
        var task = Task(31, "street", Annotation(new JsonArray(Brush("car", strong, 6, 8), Brush("road", weak, 6, 8), Brush("sky", later, 6, 8))));
        File.WriteAllText(dir["export.json"], new JsonArray(task).ToJsonString());

        var labels = AnnotationImport.Read(AnnotationFormat.LabelStudio, queries, dir["export.json"])[7];
        Assert.Equal(new byte[] { TestQueries.Car, TestQueries.Road, TestQueries.Sky, 255 }, labels[..4]);
    }

    public static TheoryData<string, string> BadShapes() => new()
    {
        { """{"data": {}}""", "the file: is a JSON object; expected the array of tasks" },
        { """[3]""", "task #1: is a JSON number, expected an object" },
        { """[{"id": 4}]""", "task 4: has no field 'data'" },
        { """[{"id": 4, "data": "street"}]""", "task 4: 'data' is a JSON string, expected object" },
        { """[{"id": 4, "data": {"s4al_image": 7}}]""", "task 4: data.s4al_image is a JSON number" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": {}}]""", "task 4: annotations is a JSON object" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": [{"id": 1}]}]""", "annotations[0]: has no field 'result'" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": [{"was_cancelled": "no", "result": []}]}]""", "was_cancelled is a JSON string" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": [{"updated_at": "yesterday", "result": []}]}]""", "updated_at \"yesterday\" is not a timestamp" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": [{"result": [{"type": "brushlabels", "original_width": 8, "original_height": 6}]}]}]""", "result[0]: has no field 'value'" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": [{"result": [{"type": "brushlabels", "original_width": "8", "original_height": 6}]}]}]""", "'original_width' is a JSON string" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": [{"result": [{"type": "brushlabels", "original_width": 8, "original_height": 6, "value": {"format": "rle", "rle": "AAAA", "brushlabels": ["car"]}}]}]}]""", "'rle' is a JSON string, expected array" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": [{"result": [{"type": "brushlabels", "original_width": 8, "original_height": 6, "value": {"format": "rle", "rle": [0, 300], "brushlabels": ["car"]}}]}]}]""", "value.rle[1] is 300, not a byte" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": [{"result": [{"type": "brushlabels", "original_width": 8, "original_height": 6, "value": {"format": "rle", "rle": [0], "brushlabels": []}}]}]}]""", "must hold the class name" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": [{"result": [{"type": "brushlabels", "original_width": 8, "original_height": 6, "value": {"format": "polygon", "rle": [0], "brushlabels": ["car"]}}]}]}]""", "value.format is \"polygon\"" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": [{"result": [{"type": "brushlabels", "original_width": 8, "original_height": 6, "value": {"format": "rle", "rle": [0, 0, 0, 192, 57, 27, 252], "brushlabels": ["car"]}}]}]}]""", "value.rle: the RLE ends after 1 of its 192 values" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": [{"result": [{"type": 5}]}]}]""", "'type' is a JSON number" },
        { """[{"id": 4, "data": {"s4al_image": "street"}, "annotations": [{"result": [7]}]}]""", "result[0]: is a JSON number, expected an object" },
    };

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void Json_of_an_unexpected_shape_names_the_file_the_task_and_the_field(string json, string cause)
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        File.WriteAllText(dir["export.json"], json);
        var e = Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(AnnotationFormat.LabelStudio, queries, dir["export.json"]));
        Assert.StartsWith($"'{dir["export.json"]}': ", e.Message);
        Assert.Contains(cause, e.Message);
    }

    [Fact]
    public void Invalid_json_is_an_error_naming_the_file()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir["export.json"], "[{\"id\": 1,");
        var e = Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(AnnotationFormat.LabelStudio, TestQueries.Create(dir.Path), dir["export.json"]));
        Assert.Contains(dir["export.json"], e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void A_task_of_an_image_not_among_the_queries_is_an_error()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        File.WriteAllText(dir["a.json"], new JsonArray(Task(4, "harbour", Annotation([]))).ToJsonString());
        File.WriteAllText(dir["b.json"], """[{"id": 5, "data": {"image": "/data/local-files/?d=x/images/harbour.png"}}]""");
        Assert.Contains("task 4: image 'harbour' (data.s4al_image) is not among the queries of cycle 2",
            Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(AnnotationFormat.LabelStudio, queries, dir["a.json"])).Message);
        Assert.Contains("task 5: image 'harbour' (data.image",
            Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(AnnotationFormat.LabelStudio, queries, dir["b.json"])).Message);
    }

    [Fact]
    public void Two_tasks_of_one_image_are_an_error()
    {
        using var dir = new TempFolder();
        var e = ImportError(dir, new JsonArray(Task(4, "street", Annotation([])), Task(5, "street", Annotation([]))));
        Assert.Contains("task 5: annotates image 'street', as task 4 does", e.Message);
    }

    [Fact]
    public void A_brush_of_another_size_than_the_query_is_an_error()
    {
        using var dir = new TempFolder();
        var task = Task(4, "street", Annotation(new JsonArray(Brush("car", new byte[48], 8, 6))));
        var e = ImportError(dir, new JsonArray(task));
        Assert.Contains("task 4 (image 'street') annotations[0].result[0]: original_width x original_height is 6x8, but image 'street' was queried at 8x6", e.Message);
    }

    [Fact]
    public void An_unknown_class_is_an_error()
    {
        using var dir = new TempFolder();
        var task = Task(4, "street", Annotation(new JsonArray(Brush("truck", new byte[48], 6, 8))));
        var e = ImportError(dir, new JsonArray(task));
        Assert.Contains("result[0]: class 'truck' is not one of the 3 classes (road, car, sky)", e.Message);
    }

    [Fact]
    public void An_absurdly_long_rle_is_refused_before_it_is_decoded()
    {
        using var dir = new TempFolder();
        var brush = Brush("car", new byte[48], 6, 8);
        brush["value"]!["rle"] = new JsonArray(Enumerable.Repeat(0, 100_000).Select(v => (JsonNode)v).ToArray());
        var e = ImportError(dir, new JsonArray(Task(4, "street", Annotation(new JsonArray(brush)))));
        Assert.Contains("value.rle has 100000 numbers, more than any RLE of a 8x6 brush needs", e.Message);
    }

    /// <summary>The error of importing <paramref name="tasks"/> as a Label Studio export.</summary>
    static AnnotationImportException ImportError(TempFolder dir, JsonNode tasks)
    {
        File.WriteAllText(dir["export.json"], tasks.ToJsonString());
        return Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(AnnotationFormat.LabelStudio, TestQueries.Create(dir.Path), dir["export.json"]));
    }

    static JsonObject Task(int id, string image, JsonObject annotation) => new()
    {
        ["id"] = id,
        ["data"] = new JsonObject { ["image"] = $"/data/local-files/?d=x/images/{image}.png", ["s4al_image"] = image },
        ["annotations"] = new JsonArray(annotation),
    };

    static JsonObject Annotation(JsonArray result) => new()
    {
        ["id"] = 1,
        ["was_cancelled"] = false,
        ["updated_at"] = "2024-05-01T10:00:00.000000Z",
        ["result"] = result,
    };

    /// <summary>A brush result as the editor writes one: the alpha of every pixel in all four channels.</summary>
    static JsonObject Brush(string className, byte[] alpha, int height, int width) => new()
    {
        ["id"] = Guid.NewGuid().ToString("N")[..10],
        ["type"] = "brushlabels",
        ["from_name"] = "tag",
        ["to_name"] = "image",
        ["original_width"] = width,
        ["original_height"] = height,
        ["image_rotation"] = 0,
        ["value"] = new JsonObject
        {
            ["format"] = "rle",
            ["rle"] = new JsonArray(BrushRle.Encode(alpha.SelectMany(a => new[] { a, a, a, a }).ToArray()).Select(b => (JsonNode)(int)b).ToArray()),
            ["brushlabels"] = new JsonArray(className),
        },
    };
}
