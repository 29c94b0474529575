using System.Collections;
using MessagePack;

namespace S4AL.Domain.Experiments;

/// <summary>
/// The labeled set as it travels to workers: fully labeled images plus one bit per (image,
/// region) for acquired regions. A few kB even for thousands of images, whatever the cycle.
/// </summary>
[MessagePackObject]
public sealed record LabeledRegionBits(
    [property: Key(0)] int Images,
    [property: Key(1)] int RegionsPerImage,
    [property: Key(2)] int[] FullyLabeled,
    [property: Key(3)] byte[] Bits)
{
    public static LabeledRegionBits From(int images, int regionsPerImage, IEnumerable<int> fullyLabeled, IEnumerable<RegionId> acquired)
    {
        var bits = new BitArray(checked(images * regionsPerImage));
        foreach (var r in acquired)
        {
            if (r.Image < 0 || r.Image >= images || r.Region < 0 || r.Region >= regionsPerImage)
                throw new ArgumentOutOfRangeException(nameof(acquired), $"region {r} is outside {images} images of {regionsPerImage} regions");
            bits[r.Image * regionsPerImage + r.Region] = true;
        }
        var bytes = new byte[(bits.Length + 7) / 8];
        bits.CopyTo(bytes, 0);
        return new LabeledRegionBits(images, regionsPerImage, fullyLabeled.Order().ToArray(), bytes);
    }

    /// <summary>The acquired regions, image by image and region by region.</summary>
    public IEnumerable<RegionId> Acquired()
    {
        if (Bits.Length * 8L < (long)Images * RegionsPerImage)
            throw new InvalidDataException($"labeled-region bitmap has {Bits.Length} bytes, too few for {Images} images x {RegionsPerImage} regions");
        for (int i = 0; i < Images; i++)
            for (int r = 0; r < RegionsPerImage; r++)
            {
                int bit = i * RegionsPerImage + r;
                if ((Bits[bit >> 3] & (1 << (bit & 7))) != 0) yield return new RegionId(i, r);
            }
    }
}
