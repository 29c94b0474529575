using SkiaSharp;

namespace S4AL.Reporting.Tests;

static class Pixels
{
    public static SKBitmap Decode(string path) =>
        SKBitmap.Decode(path) ?? throw new Xunit.Sdk.XunitException($"{path} does not decode as an image");

    /// <summary>Variance of the grey level over all pixels; a blank or single-colour image gives 0.</summary>
    public static double GreyVariance(SKBitmap bitmap)
    {
        double sum = 0, sumSq = 0;
        int n = 0;
        foreach (var c in bitmap.Pixels)
        {
            double g = (c.Red + c.Green + c.Blue) / 3.0;
            sum += g; sumSq += g * g; n++;
        }
        double mean = sum / n;
        return sumSq / n - mean * mean;
    }

    public static bool Contains(SKBitmap bitmap, SKColor color, int tolerance = 0) =>
        bitmap.Pixels.Any(c => Math.Abs(c.Red - color.Red) <= tolerance && Math.Abs(c.Green - color.Green) <= tolerance && Math.Abs(c.Blue - color.Blue) <= tolerance);
}
