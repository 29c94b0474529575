namespace S4AL.Learning.Data.Images;

/// <summary>
/// Resizing of interleaved 8-bit rasters. Bilinear follows PIL (which the authors' pipeline
/// used through torchvision): a triangle filter on pixel centres whose support widens with
/// the downscale factor, so shrinking Cityscapes' 2048-wide frames averages instead of
/// aliasing. Nearest also samples pixel centres, as PIL does, and is used for label maps
/// where interpolating class indices would invent classes.
/// </summary>
public static class Resampling
{
    public static byte[] Bilinear(byte[] src, int height, int width, int channels, int newHeight, int newWidth)
    {
        Check(src, height, width, channels, newHeight, newWidth);
        if (height == newHeight && width == newWidth) return (byte[])src.Clone();
        var (xStart, xCount, xWeights, xTaps) = Weights(width, newWidth);
        var (yStart, yCount, yWeights, yTaps) = Weights(height, newHeight);

        // Horizontal pass into floats, then vertical pass; the filter is separable.
        var tmp = new float[height * newWidth * channels];
        // Threads pay off only for real photos; small rasters (pasted items, tests) stay on the caller's thread.
        var options = new ParallelOptions { MaxDegreeOfParallelism = (long)height * width * channels > 1 << 18 ? -1 : 1 };
        Parallel.For(0, height, options, y =>
        {
            int srcRow = y * width * channels, dstRow = y * newWidth * channels;
            for (int x = 0; x < newWidth; x++)
                for (int c = 0; c < channels; c++)
                {
                    float acc = 0;
                    for (int k = 0; k < xCount[x]; k++)
                        acc += xWeights[x * xTaps + k] * src[srcRow + (xStart[x] + k) * channels + c];
                    tmp[dstRow + x * channels + c] = acc;
                }
        });
        var dst = new byte[newHeight * newWidth * channels];
        int rowLength = newWidth * channels;
        Parallel.For(0, newHeight, options, y =>
        {
            int dstRow = y * rowLength;
            for (int i = 0; i < rowLength; i++)
            {
                float acc = 0;
                for (int k = 0; k < yCount[y]; k++)
                    acc += yWeights[y * yTaps + k] * tmp[(yStart[y] + k) * rowLength + i];
                dst[dstRow + i] = (byte)Math.Clamp((int)MathF.Round(acc), 0, 255);
            }
        });
        return dst;
    }

    public static byte[] Nearest(byte[] src, int height, int width, int channels, int newHeight, int newWidth)
    {
        Check(src, height, width, channels, newHeight, newWidth);
        if (height == newHeight && width == newWidth) return (byte[])src.Clone();
        var sx = new int[newWidth];
        for (int x = 0; x < newWidth; x++) sx[x] = Math.Min(width - 1, (int)((x + 0.5) * width / newWidth));
        var dst = new byte[newHeight * newWidth * channels];
        for (int y = 0; y < newHeight; y++)
        {
            int syRow = Math.Min(height - 1, (int)((y + 0.5) * height / newHeight)) * width;
            int dstRow = y * newWidth;
            for (int x = 0; x < newWidth; x++)
                for (int c = 0; c < channels; c++)
                    dst[(dstRow + x) * channels + c] = src[(syRow + sx[x]) * channels + c];
        }
        return dst;
    }

    static (int[] Start, int[] Count, float[] Weights, int Taps) Weights(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = filterScale; // triangle filter has support 1, widened when shrinking
        int taps = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new float[outSize * taps];
        for (int i = 0; i < outSize; i++)
        {
            double center = (i + 0.5) * scale;
            int lo = Math.Max(0, (int)(center - support + 0.5));
            int hi = Math.Min(inSize, (int)(center + support + 0.5));
            double total = 0;
            for (int j = lo; j < hi; j++)
            {
                double w = Math.Max(0, 1 - Math.Abs((j + 0.5 - center) / filterScale));
                weights[i * taps + j - lo] = (float)w;
                total += w;
            }
            if (total <= 0)
            {
                // Degenerate window (cannot happen for positive sizes, but never divide by zero).
                weights[i * taps] = 1;
                total = 1;
                hi = lo + 1;
            }
            for (int j = lo; j < hi; j++) weights[i * taps + j - lo] = (float)(weights[i * taps + j - lo] / total);
            start[i] = lo;
            count[i] = hi - lo;
        }
        return (start, count, weights, taps);
    }

    static void Check(byte[] src, int height, int width, int channels, int newHeight, int newWidth)
    {
        if (height <= 0 || width <= 0 || newHeight <= 0 || newWidth <= 0)
            throw new ArgumentOutOfRangeException(nameof(height), $"cannot resize {height}x{width} to {newHeight}x{newWidth}: sizes must be positive");
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), $"channels must be positive, got {channels}");
        if (src.Length != height * width * channels)
            throw new ArgumentException($"{src.Length} bytes for a {height}x{width}x{channels} raster, expected {height * width * channels}", nameof(src));
    }
}
