using System.IO.Compression;
using S4AL.Learning.Data.Images;

namespace S4AL.Annotation.Tests;

/// <summary>
/// Tiny queries the tests export and import: classes road, car, sky; image "street" (6x8) with
/// two regions and a prediction, image "field" (4x5) with one region and no prediction.
/// </summary>
static class TestQueries
{
    public const int Road = 0, Car = 1, Sky = 2;
    public static readonly string[] Classes = ["road", "car", "sky"];

    public static AnnotationQueries Create(string folder, int cycle = 2)
    {
        var street = new QueriedImage(7, "street", WriteImage(folder, "street.png", 6, 8), 6, 8,
            [new QueriedRegion(0, 0, 3, 0, 4), new QueriedRegion(5, 3, 6, 4, 8)], StreetPrediction());
        var field = new QueriedImage(9, "field", WriteImage(folder, "field.png", 4, 5), 4, 5,
            [new QueriedRegion(1, 0, 2, 0, 5)], null);
        return new AnnotationQueries(Classes, [street, field], cycle);
    }

    /// <summary>Sky in the top rows, road in the bottom rows, car at (x 1-2, y 1-3), none at (x 7, y 5).</summary>
    public static byte[] StreetPrediction()
    {
        var p = new byte[6 * 8];
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 8; x++)
                p[y * 8 + x] = y < 3 ? (byte)Sky : (byte)Road;
        for (int y = 1; y < 4; y++)
            for (int x = 1; x < 3; x++)
                p[y * 8 + x] = Car;
        p[5 * 8 + 7] = AnnotationQueries.Unlabeled;
        return p;
    }

    static string WriteImage(string folder, string name, int height, int width)
    {
        var rgb = new byte[height * width * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 37);
        var path = System.IO.Path.Combine(folder, "pool", name);
        ImageFiles.WriteRgbPng(path, height, width, rgb);
        return path;
    }

    /// <summary>The labels an import must return for an image: <paramref name="fileLabels"/> inside the regions, 255 outside.</summary>
    public static byte[] InsideRegions(QueriedImage image, byte[] fileLabels)
    {
        var inside = image.InsideRegions();
        return fileLabels.Select((l, i) => inside[i] ? l : AnnotationQueries.Unlabeled).ToArray();
    }

    public static string Fixture(string relative) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    /// <summary>
    /// A PNG whose header declares <paramref name="width"/>x<paramref name="height"/> grayscale and
    /// nothing more. The CRC is left 0: the header must be refused before any chunk is checked.
    /// </summary>
    public static byte[] PngWithHeader(int width, int height) =>
    [
        137, 80, 78, 71, 13, 10, 26, 10,
        0, 0, 0, 13, .. "IHDR"u8, .. BigEndian(width), .. BigEndian(height), 8, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, .. "IEND"u8, 0, 0, 0, 0,
    ];

    /// <summary>A zip of the given entries, names as given (the tests build hostile archives too).</summary>
    public static void WriteZip(string path, params (string Name, byte[] Bytes)[] entries)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var stream = zip.CreateEntry(name).Open();
            stream.Write(bytes);
        }
    }

    static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
