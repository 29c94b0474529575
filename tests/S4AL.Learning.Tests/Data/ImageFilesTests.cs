using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;
using SkiaSharp;

namespace S4AL.Learning.Tests.Data;

public class ImageFilesTests
{
    [Fact]
    public void Rgb_png_round_trips_exactly()
    {
        using var dir = new TempFolder();
        var rgb = Fixtures.Rgb(5, 7);
        ImageFiles.WriteRgbPng(dir["a.png"], 5, 7, rgb);
        var read = ImageFiles.ReadRgb(dir["a.png"]);
        Assert.Equal((5, 7, 3), (read.Height, read.Width, read.Channels));
        Assert.Equal(rgb, read.Pixels);
    }

    [Fact]
    public void Label_png_is_8bit_grayscale_and_round_trips_every_byte_value()
    {
        using var dir = new TempFolder();
        var labels = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        ImageFiles.WriteLabelPng(dir["m.png"], 16, 16, labels);
        var bytes = File.ReadAllBytes(dir["m.png"]);
        Assert.Equal(8, bytes[24]); // bit depth
        Assert.Equal(0, bytes[25]); // colour type: grayscale
        Assert.Equal(labels, ImageFiles.ReadLabels(dir["m.png"]).Pixels);
    }

    [Theory]
    [InlineData(8, new[] { 0 })]
    [InlineData(8, new[] { 1, 2, 3, 4 })]
    [InlineData(4, new[] { 4, 3, 2, 1, 0 })]
    [InlineData(2, new[] { 2, 4 })]
    [InlineData(1, new[] { 3 })]
    public void Palette_mask_is_read_as_palette_indices(int bitDepth, int[] filters)
    {
        using var dir = new TempFolder();
        int h = 6, w = 11, levels = 1 << Math.Min(bitDepth, 4);
        var indices = new byte[h * w];
        for (int i = 0; i < indices.Length; i++) indices[i] = (byte)((i * 7 + i / w) % levels);
        File.WriteAllBytes(dir["p.png"], Fixtures.PalettePng(h, w, indices, bitDepth, paletteSize: levels, filters));
        var read = ImageFiles.ReadLabels(dir["p.png"]);
        Assert.Equal((h, w), (read.Height, read.Width));
        Assert.Equal(indices, read.Pixels);
    }

    [Fact]
    public void Rgb_mask_with_equal_channels_is_accepted()
    {
        using var dir = new TempFolder();
        var labels = new byte[] { 0, 3, 7, 255, 1, 2 };
        var rgb = labels.SelectMany(v => new[] { v, v, v }).ToArray();
        ImageFiles.WriteRgbPng(dir["m.png"], 2, 3, rgb);
        Assert.Equal(labels, ImageFiles.ReadLabels(dir["m.png"]).Pixels);
    }

    [Fact]
    public void Colour_mask_is_rejected_naming_file_and_pixel()
    {
        using var dir = new TempFolder();
        var rgb = new byte[2 * 3 * 3];
        rgb[3 * 4] = 9; // pixel (x=1, y=1) red channel
        ImageFiles.WriteRgbPng(dir["colour.png"], 2, 3, rgb);
        var e = Assert.Throws<InvalidDataException>(() => ImageFiles.ReadLabels(dir["colour.png"]));
        Assert.Contains(dir["colour.png"], e.Message);
        Assert.Contains("x=1, y=1", e.Message);
    }

    [Fact]
    public void Sixteen_bit_mask_is_rejected_naming_the_file()
    {
        using var dir = new TempFolder();
        var bytes = Fixtures.PalettePng(2, 2, new byte[4]);
        bytes[24] = 16; // claim 16 bits per sample in IHDR
        bytes[25] = 0;
        File.WriteAllBytes(dir["deep.png"], bytes);
        var e = Assert.Throws<InvalidDataException>(() => ImageFiles.ReadLabels(dir["deep.png"]));
        Assert.Contains(dir["deep.png"], e.Message);
        Assert.Contains("16-bit", e.Message);
    }

    [Fact]
    public void Truncated_palette_png_is_an_error_naming_the_file()
    {
        using var dir = new TempFolder();
        var bytes = Fixtures.PalettePng(8, 8, new byte[64]);
        File.WriteAllBytes(dir["cut.png"], bytes[..(bytes.Length - 20)]);
        var e = Assert.Throws<InvalidDataException>(() => ImageFiles.ReadLabels(dir["cut.png"]));
        Assert.Contains(dir["cut.png"], e.Message);
    }

    [Fact]
    public void Missing_and_undecodable_files_are_errors_naming_the_file()
    {
        using var dir = new TempFolder();
        var missing = Assert.Throws<FileNotFoundException>(() => ImageFiles.ReadRgb(dir["none.png"]));
        Assert.Contains(dir["none.png"], missing.Message);
        File.WriteAllText(dir["junk.png"], "this is not an image");
        Assert.Contains(dir["junk.png"], Assert.Throws<InvalidDataException>(() => ImageFiles.ReadRgb(dir["junk.png"])).Message);
        Assert.Contains(dir["junk.png"], Assert.Throws<InvalidDataException>(() => ImageFiles.ReadLabels(dir["junk.png"])).Message);
        Assert.Contains(dir["junk.png"], Assert.Throws<InvalidDataException>(() => ImageFiles.ReadSize(dir["junk.png"])).Message);
    }

    [Fact]
    public void Truncated_rgb_png_is_an_error_not_partial_data()
    {
        using var dir = new TempFolder();
        ImageFiles.WriteRgbPng(dir["a.png"], 32, 32, Fixtures.Rgb(32, 32));
        var bytes = File.ReadAllBytes(dir["a.png"]);
        File.WriteAllBytes(dir["a.png"], bytes[..(bytes.Length / 2)]);
        Assert.Contains(dir["a.png"], Assert.Throws<InvalidDataException>(() => ImageFiles.ReadRgb(dir["a.png"])).Message);
    }

    [Fact]
    public void Jpeg_images_are_read_as_rgb()
    {
        using var dir = new TempFolder();
        using (var bitmap = new SKBitmap(new SKImageInfo(8, 6, SKColorType.Rgba8888, SKAlphaType.Opaque)))
        {
            bitmap.Erase(new SKColor(200, 40, 90));
            using var file = File.Create(dir["a.jpg"]);
            Assert.True(bitmap.Encode(file, SKEncodedImageFormat.Jpeg, 95));
        }
        var read = ImageFiles.ReadRgb(dir["a.jpg"]);
        Assert.Equal((6, 8), (read.Height, read.Width));
        Assert.InRange(read.Pixels[0], 190, 210);
        Assert.InRange(read.Pixels[1], 30, 50);
        Assert.InRange(read.Pixels[2], 80, 100);
    }

    [Fact]
    public void Read_size_comes_from_the_header()
    {
        using var dir = new TempFolder();
        ImageFiles.WriteRgbPng(dir["a.png"], 5, 9, Fixtures.Rgb(5, 9));
        Assert.Equal(new ImageSize(5, 9), ImageFiles.ReadSize(dir["a.png"]));
    }

    [Fact]
    public void Resize_on_load_is_bilinear_for_images_and_nearest_for_masks()
    {
        using var dir = new TempFolder();
        // 2x4 image, left half 0, right half 200, shrunk to 1x2. The triangle filter widens to
        // 2 pixels each side when halving (PIL's antialiasing): output 0 is centred at x=1 and
        // weighs pixels 0,1,2 by 0.75,0.75,0.25 -> 200 * 0.25/1.75 = 28.6.
        var rgb = new byte[2 * 4 * 3];
        for (int y = 0; y < 2; y++)
            for (int x = 2; x < 4; x++)
                for (int c = 0; c < 3; c++) rgb[(y * 4 + x) * 3 + c] = 200;
        ImageFiles.WriteRgbPng(dir["a.png"], 2, 4, rgb);
        var small = ImageFiles.ReadRgb(dir["a.png"], new ImageSize(1, 2));
        Assert.Equal(new byte[] { 29, 29, 29, 171, 171, 171 }, small.Pixels);

        var labels = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        ImageFiles.WriteLabelPng(dir["m.png"], 2, 4, labels);
        var up = ImageFiles.ReadLabels(dir["m.png"], new ImageSize(4, 8));
        Assert.Equal((4, 8), (up.Height, up.Width));
        Assert.Equal(new byte[] { 1, 1, 2, 2, 3, 3, 4, 4 }, up.Pixels[..8]);
        Assert.Equal(new byte[] { 5, 5, 6, 6, 7, 7, 8, 8 }, up.Pixels[^8..]);
        Assert.Subset(labels.ToHashSet(), ImageFiles.ReadLabels(dir["m.png"], new ImageSize(3, 3)).Pixels.ToHashSet());
    }

    [Fact]
    public void Bilinear_upsampling_interpolates_between_pixel_centres()
    {
        // 1x2 -> 1x4: output centres at 0.25 and 0.75 of the input pixels, PIL-style.
        var up = Resampling.Bilinear([0, 100], 1, 2, 1, 1, 4);
        Assert.Equal(new byte[] { 0, 25, 75, 100 }, up);
        var flat = Resampling.Bilinear(Enumerable.Repeat((byte)77, 5 * 7 * 3).ToArray(), 5, 7, 3, 13, 3);
        Assert.All(flat, v => Assert.Equal(77, v));
    }

    [Fact]
    public void Writing_checks_the_buffer_size_and_names_the_file()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<ArgumentException>(() => ImageFiles.WriteRgbPng(dir["a.png"], 2, 2, new byte[5]));
        Assert.Contains(dir["a.png"], e.Message);
    }
}
