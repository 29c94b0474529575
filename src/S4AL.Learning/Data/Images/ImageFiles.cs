using S4AL.Learning.Storage;
using SkiaSharp;

namespace S4AL.Learning.Data.Images;

/// <summary>
/// Reads and writes the image files of segmentation datasets with SkiaSharp: RGB images
/// (PNG, JPEG, anything Skia decodes) and label masks holding one class index per pixel.
/// Pixels are decoded without colour management, so mask values and image bytes are
/// exactly what the file stores. Every error names the file.
/// </summary>
public static class ImageFiles
{
    /// <summary>The size stored in an image file's header, without decoding its pixels.</summary>
    public static ImageSize ReadSize(string path)
    {
        var bytes = ReadBytes(path);
        using var codec = SKCodec.Create(new MemoryStream(bytes, writable: false), out var result)
            ?? throw new InvalidDataException($"cannot decode image file '{path}': {result}");
        return new ImageSize(codec.Info.Height, codec.Info.Width);
    }

    /// <summary>Reads an image as 8-bit RGB (alpha dropped, grayscale expanded), optionally resized bilinearly.</summary>
    public static ImageRaster ReadRgb(string path, ImageSize? resizeTo = null)
    {
        var raster = DecodeRgb(ReadBytes(path), path);
        if (resizeTo is { } size && (size.Height != raster.Height || size.Width != raster.Width))
            return new ImageRaster(size.Height, size.Width, 3, Resampling.Bilinear(raster.Pixels, raster.Height, raster.Width, 3, size.Height, size.Width));
        return raster;
    }

    /// <summary>
    /// Decodes the bytes of an image file as 8-bit RGB, for files that do not sit on disk
    /// (entries of an archive); <paramref name="name"/> is what errors call the file.
    /// </summary>
    public static ImageRaster DecodeRgb(byte[] bytes, string name)
    {
        using var codec = SKCodec.Create(new MemoryStream(bytes, writable: false), out var result)
            ?? throw new InvalidDataException($"cannot decode image file '{name}': {result}");
        int w = codec.Info.Width, h = codec.Info.Height;
        var rgba = Decode(codec, new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul), name);
        var rgb = new byte[w * h * 3];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgb[i] = rgba[j];
            rgb[i + 1] = rgba[j + 1];
            rgb[i + 2] = rgba[j + 2];
        }
        return new ImageRaster(h, w, 3, rgb);
    }

    /// <summary>
    /// Reads a label mask as one byte per pixel, optionally resized with nearest neighbour.
    /// Accepted: 8-bit grayscale; palette PNGs (the palette index is the label); RGB/RGBA
    /// whose colour channels are equal. Colour masks and 16-bit PNGs are rejected.
    /// </summary>
    public static ImageRaster ReadLabels(string path, ImageSize? resizeTo = null)
    {
        var bytes = ReadBytes(path);
        var raster = DecodeLabels(bytes, path);
        if (resizeTo is { } size && (size.Height != raster.Height || size.Width != raster.Width))
            return new ImageRaster(size.Height, size.Width, 1, Resampling.Nearest(raster.Pixels, raster.Height, raster.Width, 1, size.Height, size.Width));
        return raster;
    }

    /// <summary>Writes RGB bytes (row-major, 3 per pixel) as a PNG.</summary>
    public static void WriteRgbPng(string path, int height, int width, ReadOnlySpan<byte> rgb) =>
        WriteFile(path, EncodeRgbPng(height, width, rgb, path));

    /// <summary>Writes labels (row-major, one byte per pixel) as an 8-bit grayscale PNG.</summary>
    public static void WriteLabelPng(string path, int height, int width, ReadOnlySpan<byte> labels) =>
        WriteFile(path, EncodeLabelPng(height, width, labels, path));

    /// <summary>The PNG bytes of an RGB raster, for writers that place the file themselves (atomically, or in an archive); <paramref name="name"/> is what errors call it.</summary>
    public static byte[] EncodeRgbPng(int height, int width, ReadOnlySpan<byte> rgb, string name)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"'{name}': size {height}x{width} must be positive");
        if (rgb.Length != height * width * 3)
            throw new ArgumentException($"'{name}': {rgb.Length} RGB bytes for {height}x{width}, expected {height * width * 3}", nameof(rgb));
        var rgba = new byte[height * width * 4];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }
        // Opaque RGBA is written by Skia's PNG encoder as colour type 2 (RGB).
        return Encode(name, new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), rgba, width * 4);
    }

    /// <summary>The 8-bit grayscale PNG bytes of a label raster (one byte per pixel); <paramref name="name"/> is what errors call it.</summary>
    public static byte[] EncodeLabelPng(int height, int width, ReadOnlySpan<byte> labels, string name)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"'{name}': size {height}x{width} must be positive");
        if (labels.Length != height * width)
            throw new ArgumentException($"'{name}': {labels.Length} label bytes for {height}x{width}, expected {height * width}", nameof(labels));
        return Encode(name, new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque), labels.ToArray(), width);
    }

    /// <summary>
    /// Decodes the bytes of a label mask (the rules of <see cref="ReadLabels"/>), for files that
    /// do not sit on disk; <paramref name="name"/> is what errors call the file.
    /// </summary>
    public static ImageRaster DecodeLabels(byte[] bytes, string name)
    {
        if (PngHeader.TryRead(bytes) is { } png)
        {
            if (png.BitDepth == 16)
                throw new InvalidDataException($"mask '{name}' is a 16-bit PNG; label masks must be 8-bit (one class index per pixel)");
            if (png.ColorType == PngHeader.Palette)
                return new ImageRaster(png.Height, png.Width, 1, PngHeader.DecodePaletteIndices(bytes, name));
            if (png.ColorType is PngHeader.Grayscale or PngHeader.GrayAlpha && png.BitDepth < 8)
                throw new InvalidDataException($"mask '{name}' is a {png.BitDepth}-bit grayscale PNG; label masks must be 8-bit grayscale or palette PNGs");
        }

        using var codec = SKCodec.Create(new MemoryStream(bytes, writable: false), out var result)
            ?? throw new InvalidDataException($"cannot decode mask file '{name}': {result}");
        int w = codec.Info.Width, h = codec.Info.Height;
        if (codec.Info.ColorType == SKColorType.Gray8)
            return new ImageRaster(h, w, 1, Decode(codec, new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque), name));

        var rgba = Decode(codec, new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul), name);
        var labels = new byte[w * h];
        for (int i = 0; i < labels.Length; i++)
        {
            byte r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
            if (r != g || g != b)
                throw new InvalidDataException(
                    $"mask '{name}' is a colour image: pixel (x={i % w}, y={i / w}) is RGB ({r},{g},{b}); a mask must hold one class index per pixel " +
                    "(8-bit grayscale, a palette PNG, or RGB with equal channels)");
            labels[i] = r;
        }
        return new ImageRaster(h, w, 1, labels);
    }

    static unsafe byte[] Decode(SKCodec codec, SKImageInfo info, string path)
    {
        var pixels = new byte[info.BytesSize];
        SKCodecResult result;
        fixed (byte* p = pixels) result = codec.GetPixels(info, (IntPtr)p);
        // IncompleteInput still fills what it decoded; a truncated file must not pass as data.
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"cannot decode image file '{path}': {result}");
        return pixels;
    }

    static unsafe byte[] Encode(string name, SKImageInfo info, byte[] pixels, int rowBytes)
    {
        fixed (byte* p = pixels)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)p, rowBytes);
            using var png = new MemoryStream();
            if (!pixmap.Encode(png, new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 6)))
                throw new IOException($"cannot encode PNG '{name}'");
            return png.ToArray();
        }
    }

    static void WriteFile(string path, byte[] bytes)
    {
        try
        {
            // Atomic: a label store's PNG or a report picture is never seen half-written, even after a crash.
            AtomicFile.Write(path, bytes);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or DirectoryNotFoundException)
        {
            throw new IOException($"cannot write '{path}': {e.Message}", e);
        }
    }

    static byte[] ReadBytes(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"image file '{path}' does not exist", path, e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException($"image file '{path}' does not exist", path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read image file '{path}': {e.Message}", e);
        }
    }
}
