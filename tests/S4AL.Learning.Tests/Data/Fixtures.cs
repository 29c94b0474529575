using System.Buffers.Binary;
using System.IO.Compression;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;

namespace S4AL.Learning.Tests.Data;

/// <summary>A temporary folder deleted on dispose, with helpers that write dataset fixtures into it.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "s4al-data-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public string WriteText(string relative, params string[] lines)
    {
        var file = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllLines(file, lines);
        return file;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public static class Fixtures
{
    /// <summary>Deterministic RGB bytes for an h x w image.</summary>
    public static byte[] Rgb(int h, int w, int seed = 1)
    {
        var rgb = new byte[h * w * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)((i * 37 + seed * 101) % 251);
        return rgb;
    }

    /// <summary>Labels cycling through 0..classes-1.</summary>
    public static byte[] Labels(int h, int w, int classes, int seed = 0)
    {
        var labels = new byte[h * w];
        for (int i = 0; i < labels.Length; i++) labels[i] = (byte)((i / 3 + seed) % classes);
        return labels;
    }

    public static void WritePair(string imagePath, string maskPath, int h, int w, byte[] labels, int seed = 1)
    {
        ImageFiles.WriteRgbPng(imagePath, h, w, Fixtures.Rgb(h, w, seed));
        ImageFiles.WriteLabelPng(maskPath, h, w, labels);
    }

    /// <summary>Writes the authors' CamVid layout: images/, annots/, imagesets/{split}.txt.</summary>
    public static void WriteCamVid(string root, int h, int w, int classes, params (string Split, string[] Names)[] splits)
    {
        int seed = 0;
        foreach (var (split, names) in splits)
        {
            Directory.CreateDirectory(System.IO.Path.Combine(root, "imagesets"));
            File.WriteAllLines(System.IO.Path.Combine(root, "imagesets", split + ".txt"), names);
            foreach (var name in names)
                WritePair(System.IO.Path.Combine(root, "images", name + ".png"), System.IO.Path.Combine(root, "annots", name + ".png"), h, w, Labels(h, w, classes, seed), ++seed);
        }
    }

    /// <summary>
    /// A palette PNG written by hand (SkiaSharp cannot write one): indices packed at
    /// <paramref name="bitDepth"/> bits, each row filtered with the next of <paramref name="filters"/>.
    /// </summary>
    public static byte[] PalettePng(int h, int w, byte[] indices, int bitDepth = 8, int paletteSize = 16, params int[] filters)
    {
        if (filters.Length == 0) filters = [0];
        int stride = (w * bitDepth + 7) / 8;
        var raw = new MemoryStream();
        var prev = new byte[stride];
        for (int y = 0; y < h; y++)
        {
            var row = new byte[stride];
            for (int x = 0; x < w; x++)
            {
                int v = indices[y * w + x];
                int perByte = 8 / bitDepth;
                row[x / perByte] |= (byte)(v << (8 - bitDepth * (x % perByte + 1)));
            }
            int filter = filters[y % filters.Length];
            raw.WriteByte((byte)filter);
            for (int i = 0; i < stride; i++)
            {
                int a = i > 0 ? row[i - 1] : 0, b = prev[i], c = i > 0 ? prev[i - 1] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    _ => Paeth(a, b, c),
                };
                raw.WriteByte((byte)(row[i] - predictor));
            }
            prev = row;
        }
        var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true)) raw.WriteTo(z);

        var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = 3;
        Chunk(png, "IHDR", ihdr);
        var plte = new byte[paletteSize * 3];
        // Colours unrelated to the indices, so reading colours instead of indices would show.
        for (int i = 0; i < plte.Length; i++) plte[i] = (byte)(i * 53 + 17);
        Chunk(png, "PLTE", plte);
        Chunk(png, "IDAT", idat.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, header.AsSpan(4));
        s.Write(header);
        s.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32([.. header.AsSpan(4).ToArray(), .. data]));
        s.Write(crc);
    }

    static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Writes a gzip-compressed IDX file of unsigned bytes.</summary>
    public static void WriteIdxGz(string path, int[] dims, byte[] data)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write([0, 0, 0x08, (byte)dims.Length]);
        foreach (var d in dims)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, d);
            gz.Write(b);
        }
        gz.Write(data);
    }

    /// <summary>
    /// Tiny Fashion-MNIST files: <paramref name="perClass"/> 28x28 items of each listed class, each a
    /// filled square (so a known, sizeable share of its pixels is above the paste threshold).
    /// </summary>
    public static void WriteFashion(string directory, FashionMnistSplit split, int[] classes, int perClass = 2)
    {
        int n = classes.Length * perClass;
        var pixels = new byte[n * 28 * 28];
        var labels = new byte[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = (byte)classes[i % classes.Length];
            for (int y = 4; y < 24; y++)
                for (int x = 4; x < 24; x++)
                    pixels[i * 784 + y * 28 + x] = (byte)(150 + (x * 7 + y * 3 + i) % 100);
        }
        WriteIdxGz(FashionMnist.ImageFile(directory, split), [n, 28, 28], pixels);
        WriteIdxGz(FashionMnist.LabelFile(directory, split), [n], labels);
    }
}

/// <summary>A dataset held in memory, for tests of batching and statistics.</summary>
public sealed class InMemoryDataset(int height, int width, IReadOnlyList<string> classNames, IReadOnlyList<(byte[] Rgb, byte[] Label)> images) : ISegmentationDataset
{
    public int Gets;

    public string Name => "in-memory";
    public int Count => images.Count;
    public int Height => height;
    public int Width => width;
    public IReadOnlyList<string> ClassNames => classNames;

    public SegmentationImage Get(int index)
    {
        Interlocked.Increment(ref Gets);
        return new SegmentationImage($"m{index}", height, width, images[index].Rgb, images[index].Label);
    }
}
