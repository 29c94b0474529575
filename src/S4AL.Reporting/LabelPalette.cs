using SkiaSharp;
using S4AL.Learning.Data.Datasets;

namespace S4AL.Reporting;

/// <summary>Colours of label maps: class c gets entry c (repeating past the end), ignored pixels black.</summary>
public static class LabelPalette
{
    // Distinct, mid-to-light colours (Tableau 20 order), none pure magenta so acquired-region outlines stay unambiguous.
    static readonly SKColor[] Colors =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
        new(174, 199, 232), new(255, 187, 120), new(152, 223, 138), new(255, 152, 150), new(197, 176, 213),
        new(196, 156, 148), new(247, 182, 210), new(199, 199, 199), new(219, 219, 141), new(158, 218, 229),
    ];

    /// <summary>Colour of class index <paramref name="label"/>; <see cref="S4AL.Learning.Data.Datasets.SegmentationImage.IgnoreIndex"/> is black.</summary>
    public static SKColor Color(byte label) =>
        label == S4AL.Learning.Data.Datasets.SegmentationImage.IgnoreIndex ? SKColors.Black : Colors[label % Colors.Length];
}
