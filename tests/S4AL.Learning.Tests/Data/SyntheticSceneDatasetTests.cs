using S4AL.Learning.Data.Regions;
using S4AL.Learning.Data.Scenes;

namespace S4AL.Learning.Tests.Data;

public class SyntheticSceneDatasetTests
{
    [Fact]
    public void Images_are_deterministic_by_seed_and_index()
    {
        var a = new SyntheticSceneDataset(10, seed: 7);
        var b = new SyntheticSceneDataset(10, seed: 7);
        var c = new SyntheticSceneDataset(10, seed: 8);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(a.Get(i).Rgb, b.Get(i).Rgb);
            Assert.Equal(a.Get(i).Label, b.Get(i).Label);
            Assert.NotEqual(a.Get(i).Rgb, c.Get(i).Rgb);
        }
        Assert.NotEqual(a.Get(0).Label, a.Get(1).Label);
    }

    [Fact]
    public void Has_the_requested_size_and_valid_labels()
    {
        var ds = new SyntheticSceneDataset(4, seed: 1, height: 24, width: 40);
        var image = ds.Get(3);
        Assert.Equal((24, 40), (image.Height, image.Width));
        Assert.All(image.Label, v => Assert.InRange(v, 0, SyntheticSceneDataset.Classes.Count - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.Get(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticSceneDataset(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticSceneDataset(5, 1, height: 8));
    }

    [Fact]
    public void Pixel_frequencies_are_long_tailed_and_rare_classes_appear_in_few_images()
    {
        var ds = new SyntheticSceneDataset(200, seed: 3);
        var pixels = LabelStatistics.CountPixels(ds);
        var images = new int[ds.ClassNames.Count];
        for (int i = 0; i < ds.Count; i++)
            foreach (var c in ds.Get(i).Label.Distinct()) images[c]++;
        double total = pixels.Sum();
        var share = pixels.Select(p => p / total).ToArray();

        byte[] head = [SyntheticSceneDataset.Sky, SyntheticSceneDataset.Road, SyntheticSceneDataset.Building];
        byte[] tail = [SyntheticSceneDataset.Person, SyntheticSceneDataset.Pole, SyntheticSceneDataset.Sign, SyntheticSceneDataset.Bicycle];
        Assert.True(head.Sum(c => share[c]) > 0.75, $"head share {head.Sum(c => share[c]):P1}");
        foreach (var h in head) Assert.True(share[h] > 0.1, $"{ds.ClassNames[h]} {share[h]:P1}");
        Assert.InRange(share[SyntheticSceneDataset.Car], 0.01, 0.15);
        foreach (var t in tail) Assert.InRange(share[t], 1e-4, 0.02);
        // Every class occurs, but the rarest ones only in a minority of the images.
        Assert.All(images, n => Assert.True(n > 0));
        Assert.InRange(images[SyntheticSceneDataset.Bicycle], 1, 60);
        Assert.InRange(images[SyntheticSceneDataset.Sign], 1, 100);
        Assert.Equal(200, images[SyntheticSceneDataset.Road]);
    }

    [Fact]
    public void A_per_pixel_colour_lookup_cannot_segment_it()
    {
        // Fit the best colour-bin -> class table on 30 images, score it on 30 others. Colour
        // ranges overlap and every frame has its own exposure and cast, so it stays far from
        // perfect; a network must use texture, shape and context.
        var ds = new SyntheticSceneDataset(60, seed: 5, height: 48, width: 64);
        int classes = ds.ClassNames.Count;
        static int Bin(byte[] rgb, int p) => (rgb[3 * p] >> 5) * 64 + (rgb[3 * p + 1] >> 5) * 8 + (rgb[3 * p + 2] >> 5);
        var hist = new long[512, classes];
        for (int i = 0; i < 30; i++)
        {
            var im = ds.Get(i);
            for (int p = 0; p < im.Label.Length; p++) hist[Bin(im.Rgb, p), im.Label[p]]++;
        }
        long right = 0, all = 0;
        for (int i = 30; i < 60; i++)
        {
            var im = ds.Get(i);
            for (int p = 0; p < im.Label.Length; p++)
            {
                int bin = Bin(im.Rgb, p), best = 0;
                for (int c = 1; c < classes; c++) if (hist[bin, c] > hist[bin, best]) best = c;
                right += best == im.Label[p] ? 1 : 0;
                all++;
            }
        }
        double accuracy = right / (double)all;
        Assert.InRange(accuracy, 0.3, 0.85);
    }
}
