using System.Buffers.Binary;
using System.IO.Compression;
using S4AL.Learning.Data.Scenes;

namespace S4AL.Learning.Data.Images;

/// <summary>
/// The few facts about a PNG that decide how a label mask is read, and a decoder for
/// palette PNGs: SkiaSharp expands a palette to colours, but a palette mask (the VOC
/// convention) stores the class index as the palette index, which only the raw data holds.
/// </summary>
internal readonly record struct PngHeader(int Width, int Height, int BitDepth, int ColorType, int Interlace)
{
    public const int Grayscale = 0, Rgb = 2, Palette = 3, GrayAlpha = 4, Rgba = 6;
    static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>The header of a PNG file, or null if the bytes are not a PNG.</summary>
    public static PngHeader? TryRead(ReadOnlySpan<byte> file)
    {
        if (file.Length < 33 || !file[..8].SequenceEqual(Signature) || !file.Slice(12, 4).SequenceEqual("IHDR"u8)) return null;
        return new PngHeader(
            BinaryPrimitives.ReadInt32BigEndian(file.Slice(16, 4)),
            BinaryPrimitives.ReadInt32BigEndian(file.Slice(20, 4)),
            file[24], file[25], file[28]);
    }

    /// <summary>Palette indices of a non-interlaced palette PNG, one byte per pixel.</summary>
    public static byte[] DecodePaletteIndices(byte[] file, string path)
    {
        var header = TryRead(file) ?? throw new InvalidDataException($"'{path}' is not a PNG file");
        if (header.ColorType != Palette) throw new InvalidDataException($"'{path}' is not a palette PNG (colour type {header.ColorType})");
        if (header.Interlace != 0)
            throw new InvalidDataException($"mask '{path}' is an interlaced palette PNG, which is not supported; save it without interlacing");
        if (header.BitDepth is not (1 or 2 or 4 or 8))
            throw new InvalidDataException($"mask '{path}' has palette bit depth {header.BitDepth}; a PNG palette has 1, 2, 4 or 8 bits");
        if (header.Width <= 0 || header.Height <= 0)
            throw new InvalidDataException($"mask '{path}' has size {header.Width}x{header.Height}");

        // Gather the IDAT chunks; they form one zlib stream.
        using var idat = new MemoryStream();
        int pos = 8;
        while (pos + 8 <= file.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(pos, 4));
            var type = file.AsSpan(pos + 4, 4);
            if (length < 0 || pos + 12L + length > file.Length)
                throw new InvalidDataException($"mask '{path}' is truncated: chunk '{System.Text.Encoding.ASCII.GetString(type)}' at byte {pos} runs past the end of the file");
            if (type.SequenceEqual("IDAT"u8)) idat.Write(file, pos + 8, length);
            if (type.SequenceEqual("IEND"u8)) break;
            pos += 12 + length;
        }
        if (idat.Length == 0) throw new InvalidDataException($"mask '{path}' has no image data (IDAT)");

        int bits = header.BitDepth;
        int stride = (header.Width * bits + 7) / 8;
        var raw = new byte[(long)header.Height * (stride + 1)];
        idat.Position = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            z.ReadExactly(raw);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"mask '{path}': corrupt or truncated PNG image data ({e.Message})", e);
        }

        var indices = new byte[header.Width * header.Height];
        var prev = new byte[stride];
        var row = new byte[stride];
        for (int y = 0; y < header.Height; y++)
        {
            int filter = raw[y * (stride + 1)];
            raw.AsSpan(y * (stride + 1) + 1, stride).CopyTo(row);
            Unfilter(filter, row, prev, path, y);
            Unpack(row, bits, indices.AsSpan(y * header.Width, header.Width));
            (prev, row) = (row, prev);
        }
        return indices;
    }

    // Filter unit is one byte: palette pixels are at most 8 bits.
    static void Unfilter(int filter, byte[] row, byte[] prev, string path, int y)
    {
        switch (filter)
        {
            case 0: break;
            case 1: for (int i = 1; i < row.Length; i++) row[i] += row[i - 1]; break;
            case 2: for (int i = 0; i < row.Length; i++) row[i] += prev[i]; break;
            case 3:
                for (int i = 0; i < row.Length; i++) row[i] += (byte)(((i > 0 ? row[i - 1] : 0) + prev[i]) >> 1);
                break;
            case 4:
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i > 0 ? row[i - 1] : 0, b = prev[i], c = i > 0 ? prev[i - 1] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
                break;
            default: throw new InvalidDataException($"mask '{path}': row {y} has unknown PNG filter type {filter}");
        }
    }

    static void Unpack(byte[] row, int bits, Span<byte> dst)
    {
        if (bits == 8) { row.AsSpan(0, dst.Length).CopyTo(dst); return; }
        int perByte = 8 / bits, mask = (1 << bits) - 1;
        for (int x = 0; x < dst.Length; x++)
        {
            int shift = 8 - bits * (x % perByte + 1);
            dst[x] = (byte)((row[x / perByte] >> shift) & mask);
        }
    }
}
