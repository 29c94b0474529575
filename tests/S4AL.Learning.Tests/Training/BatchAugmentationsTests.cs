using S4AL.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Training;

public class BatchAugmentationsTests
{
    static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static BatchAugmentations Make(SslSettings settings, Generator generator) => new(settings, generator, CPU);

    /// <summary>Label maps of 4x4 blocks with random classes 0..classes-1.</summary>
    static Tensor BlockLabels(int b, int h, int w, int classes, int seed)
    {
        var rng = new Random(seed);
        var data = new long[b * h * w];
        for (int n = 0; n < b; n++)
            for (int by = 0; by < h; by += 4)
                for (int bx = 0; bx < w; bx += 4)
                {
                    long c = rng.Next(classes);
                    for (int y = by; y < Math.Min(h, by + 4); y++) for (int x = bx; x < Math.Min(w, bx + 4); x++) data[(n * h + y) * w + x] = c;
                }
        return tensor(data, [b, h, w]);
    }

    [Fact]
    public void Flip_is_applied_identically_to_image_labels_and_confidence()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(3);
        using var aug = Make(new SslSettings(), g);
        int b = 16, h = 3, w = 6;
        var x = arange(w, ScalarType.Float32).view(1, 1, 1, w);
        var batchOffset = arange(b, ScalarType.Float32).view(b, 1, 1, 1).mul(10);
        var images = x.add(batchOffset).expand(b, 3, h, w).contiguous();
        var labels = arange(w, ScalarType.Int64).view(1, 1, w).add(arange(b, ScalarType.Int64).view(b, 1, 1).remainder(3)).expand(b, h, w).contiguous();
        var confidence = x.view(1, 1, w).div(10).expand(b, h, w).contiguous();

        var result = aug.Flip(new PseudoLabeledBatch(images, labels, confidence));

        int flipped = 0;
        for (int n = 0; n < b; n++)
        {
            bool imageFlipped = Same(result.Images[n], images[n].flip(2));
            bool imageSame = Same(result.Images[n], images[n]);
            Assert.True(imageFlipped ^ imageSame, $"image {n} is neither flipped nor unchanged");
            Assert.True(Same(result.Labels[n], imageFlipped ? labels[n].flip(1) : labels[n]), $"labels of image {n} do not follow the image");
            Assert.True(Same(result.Confidence[n], imageFlipped ? confidence[n].flip(1) : confidence[n]), $"confidence of image {n} does not follow the image");
            if (imageFlipped) flipped++;
        }
        Assert.InRange(flipped, 3, 13); // p = 0.5 over 16 images: both outcomes occur
    }

    [Fact]
    public void Scale_crop_flip_moves_image_labels_and_maps_with_one_geometry()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        using var aug = Make(new SslSettings(), g);
        int b = 8, h = 24, w = 32;
        var labels = BlockLabels(b, h, w, 6, seed: 1);
        // The image carries the label value, the map carries label / 10: any misalignment shows.
        var images = labels.to(ScalarType.Float32).unsqueeze(1).expand(b, 3, h, w).contiguous();
        var maps = labels.to(ScalarType.Float32).div(10).unsqueeze(1);

        var (outImages, outLabels, outMaps) = aug.ScaleCropFlip(images, labels, maps, 0.5, 2.0, 0.5);

        var l = outLabels.data<long>().ToArray();
        var m = outMaps!.data<float>().ToArray();
        var img = outImages[.., 0].contiguous().data<float>().ToArray();
        Assert.All(l, v => Assert.True(v is >= 0 and < 6 or 255, $"label {v} is not a class or 255"));
        int checkedPixels = 0;
        for (int n = 0; n < b; n++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int p = (n * h + y) * w + x;
                    Assert.Equal(l[p] == 255 ? 0f : l[p] / 10f, m[p], 6);
                    bool uniform = true;
                    for (int dy = -2; dy <= 2 && uniform; dy++)
                        for (int dx = -2; dx <= 2 && uniform; dx++)
                        {
                            int yy = y + dy, xx = x + dx;
                            if (yy < 0 || yy >= h || xx < 0 || xx >= w) { uniform = false; break; }
                            uniform = l[(n * h + yy) * w + xx] == l[p];
                        }
                    if (!uniform || l[p] == 255) continue;
                    Assert.Equal(l[p], img[p], 3);
                    checkedPixels++;
                }
        Assert.True(checkedPixels > b * h * w / 10, $"only {checkedPixels} interior pixels checked");
    }

    [Fact]
    public void Scale_below_one_pads_labels_with_ignore_and_maps_with_zero()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(9);
        using var aug = Make(new SslSettings(), g);
        var labels = BlockLabels(2, 8, 8, 3, seed: 2);
        var images = randn(2, 3, 8, 8);
        var (_, outLabels, outMaps) = aug.ScaleCropFlip(images, labels, ones(2, 1, 8, 8), 0.5, 0.5, 0);
        var bottom = outLabels[.., 4.., ..];
        var right = outLabels[.., .., 4..];
        Assert.True(bottom.eq(255).all().item<bool>() && right.eq(255).all().item<bool>());
        Assert.True(outLabels[.., ..4, ..4].lt(3).all().item<bool>());
        Assert.True(outMaps![.., 0, 4.., ..].eq(0).all().item<bool>());
        Assert.True(outMaps[.., 0, ..4, ..4].eq(1).all().item<bool>());
    }

    [Fact]
    public void Scale_one_without_flip_is_the_identity()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(1);
        using var aug = Make(new SslSettings(), g);
        var labels = BlockLabels(2, 12, 20, 5, seed: 3);
        var images = randn(2, 3, 12, 20);
        var (outImages, outLabels, _) = aug.ScaleCropFlip(images, labels, null, 1, 1, 0);
        Assert.True(Same(outLabels, labels));
        Assert.True(outImages.allclose(images, rtol: 0, atol: 1e-4));
    }

    [Fact]
    public void Color_jitter_scales_brightness_and_blends_contrast_in_unnormalized_rgb()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(2);
        var mean = tensor(Mean).view(1, 3, 1, 1);
        var std = tensor(Std).view(1, 3, 1, 1);
        var rgb = rand(3, 3, 5, 7);
        var images = rgb.sub(mean).div(std);

        using var bright = Make(new SslSettings { ColorJitterProbability = 1, BrightnessMin = 1.2, BrightnessMax = 1.2, ContrastMin = 1, ContrastMax = 1 }, g);
        var expectedBright = rgb.mul(1.2).clamp(0, 1);
        Assert.True(bright.ColorJitter(images).mul(std).add(mean).allclose(expectedBright, rtol: 0, atol: 1e-5));

        using var contrast = Make(new SslSettings { ColorJitterProbability = 1, BrightnessMin = 1, BrightnessMax = 1, ContrastMin = 0.8, ContrastMax = 0.8 }, g);
        var grey = rgb[.., 0].mul(0.2989).add(rgb[.., 1].mul(0.587)).add(rgb[.., 2].mul(0.114)).mean([1, 2]).view(3, 1, 1, 1);
        var expectedContrast = rgb.mul(0.8).add(grey.mul(0.2)).clamp(0, 1);
        Assert.True(contrast.ColorJitter(images).mul(std).add(mean).allclose(expectedContrast, rtol: 0, atol: 1e-5));

        using var never = Make(new SslSettings { ColorJitterProbability = 0 }, g);
        Assert.True(Same(never.ColorJitter(images), images));
    }

    [Fact]
    public void Color_jitter_applies_brightness_and_contrast_in_a_random_order_per_image()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(12);
        var mean = tensor(Mean).view(1, 3, 1, 1);
        var std = tensor(Std).view(1, 3, 1, 1);
        int b = 16;
        var rgb = rand(b, 3, 4, 5);
        using var aug = Make(new SslSettings { ColorJitterProbability = 1, BrightnessMin = 1.3, BrightnessMax = 1.3, ContrastMin = 0.6, ContrastMax = 0.6 }, g);
        var result = aug.ColorJitter(rgb.sub(mean).div(std)).mul(std).add(mean);

        Tensor Brightness(Tensor x) => x.mul(1.3).clamp(0, 1);
        Tensor Contrast(Tensor x)
        {
            var grey = x[.., 0].mul(0.2989).add(x[.., 1].mul(0.587)).add(x[.., 2].mul(0.114)).mean([1, 2]).view(-1, 1, 1, 1);
            return x.mul(0.6).add(grey.mul(0.4)).clamp(0, 1);
        }
        var brightnessFirst = Contrast(Brightness(rgb));
        var contrastFirst = Brightness(Contrast(rgb));
        int orderA = 0, orderB = 0;
        for (int n = 0; n < b; n++)
        {
            bool a = result[n].allclose(brightnessFirst[n], rtol: 0, atol: 1e-5);
            bool c = result[n].allclose(contrastFirst[n], rtol: 0, atol: 1e-5);
            Assert.True(a || c, $"image {n} matches neither order");
            if (a) orderA++; else orderB++;
        }
        Assert.True(orderA > 0 && orderB > 0, $"orders {orderA}/{orderB}: both should occur");
    }

    [Fact]
    public void Class_mix_mask_selects_half_of_the_classes_present_each_whole()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(4);
        using var aug = Make(new SslSettings(), g);
        // Image 0 holds classes 0,1,2,3 (and ignore pixels: 5 values, 2 chosen); image 1 holds 1 and 4.
        var l0 = new long[] { 0, 0, 1, 1, 2, 2, 3, 3, 255, 255 };
        var l1 = new long[] { 1, 1, 1, 4, 4, 4, 4, 4, 1, 1 };
        var labels = tensor(l0.Concat(l1).ToArray(), [2, 1, 10]);
        var picks = new Dictionary<long, int>();
        for (int trial = 0; trial < 300; trial++)
        {
            var mask = aug.ClassMixMask(labels).data<bool>().ToArray();
            foreach (var (map, offset, expected) in new[] { (l0, 0, 2), (l1, 10, 1) })
            {
                var chosen = new HashSet<long>();
                var rejected = new HashSet<long>();
                for (int i = 0; i < 10; i++) (mask[offset + i] ? chosen : rejected).Add(map[i]);
                Assert.Empty(chosen.Intersect(rejected)); // a class is mixed whole or not at all
                Assert.Equal(expected, chosen.Count);
                if (offset == 0) foreach (var c in chosen) picks[c] = picks.GetValueOrDefault(c) + 1;
            }
        }
        // Each of the 5 values of image 0 is chosen with probability 2/5.
        Assert.All(new long[] { 0, 1, 2, 3, 255 }, c => Assert.InRange(picks.GetValueOrDefault(c), 85, 155));
    }

    [Fact]
    public void Class_mix_takes_masked_pixels_from_the_image_and_the_rest_from_the_next_one()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(6);
        using var aug = Make(new SslSettings(), g);
        int b = 3, h = 8, w = 8;
        var labels = BlockLabels(b, h, w, 5, seed: 4);
        var images = arange(b, ScalarType.Float32).view(b, 1, 1, 1).expand(b, 3, h, w).contiguous();
        var confidence = arange(b, ScalarType.Float32).view(b, 1, 1).add(0.5).div(10).expand(b, h, w).contiguous();

        var mixed = aug.ClassMix(new PseudoLabeledBatch(images, labels, confidence));

        var src = labels.data<long>().ToArray();
        var outImg = mixed.Images[.., 0].contiguous().data<float>().ToArray();
        var outLab = mixed.Labels.data<long>().ToArray();
        var outConf = mixed.Confidence.data<float>().ToArray();
        for (int n = 0; n < b; n++)
        {
            int next = (n + 1) % b;
            var kept = new HashSet<long>();
            var present = new HashSet<long>();
            for (int p = 0; p < h * w; p++)
            {
                int i = n * h * w + p;
                present.Add(src[i]);
                int source = (int)outImg[i];
                Assert.True(source == n || source == next, $"pixel {p} of image {n} comes from image {source}");
                Assert.Equal(src[source * h * w + p], outLab[i]);
                Assert.Equal((source + 0.5f) / 10, outConf[i], 6);
                if (source == n) kept.Add(src[i]);
            }
            Assert.Equal(present.Count / 2, kept.Count);
        }
    }

    [Fact]
    public void Weak_and_strong_keep_shapes_and_valid_values()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(8);
        using var aug = Make(new SslSettings(), g);
        var labels = BlockLabels(2, 16, 24, 4, seed: 5);
        var batch = new PseudoLabeledBatch(randn(2, 3, 16, 24), labels, rand(2, 16, 24));
        var weak = aug.Weak(batch);
        var strong = aug.Strong(weak);
        foreach (var r in new[] { weak, strong })
        {
            Assert.Equal(batch.Images.shape, r.Images.shape);
            Assert.Equal(batch.Labels.shape, r.Labels.shape);
            Assert.Equal(batch.Confidence.shape, r.Confidence.shape);
            Assert.True(r.Labels.lt(4).logical_or(r.Labels.eq(255)).all().item<bool>());
            Assert.True(r.Confidence.ge(0).logical_and(r.Confidence.le(1)).all().item<bool>());
        }
    }
}
