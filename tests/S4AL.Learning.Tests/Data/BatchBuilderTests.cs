using S4AL.Domain;
using S4AL.Learning.Data.Batches;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Data.Scenes;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Data;

public class BatchBuilderTests
{
    const int H = 4, W = 6;

    static InMemoryDataset Dataset(int count = 3)
    {
        var images = Enumerable.Range(0, count).Select(i =>
        {
            var rgb = Fixtures.Rgb(H, W, i + 1);
            var label = Fixtures.Labels(H, W, 3, i);
            return (rgb, label);
        }).ToList();
        return new InMemoryDataset(H, W, ["a", "b", "c"], images);
    }

    [Fact]
    public void Images_are_imagenet_normalized_in_channel_planes()
    {
        var ds = Dataset();
        var rgb = ds.Get(1).Rgb;
        rgb[3 * (2 * W + 5)] = 255; rgb[3 * (2 * W + 5) + 1] = 0; rgb[3 * (2 * W + 5) + 2] = 128;
        using var batch = BatchBuilder.Build(ds, [0, 1], null, CPU);
        Assert.Equal(new long[] { 2, 3, H, W }, batch.Images.shape);
        Assert.Equal(ScalarType.Float32, batch.Images.dtype);
        Assert.Equal((1 - 0.485f) / 0.229f, batch.Images[1, 0, 2, 5].item<float>(), 5);
        Assert.Equal((0 - 0.456f) / 0.224f, batch.Images[1, 1, 2, 5].item<float>(), 5);
        Assert.Equal((128 / 255f - 0.406f) / 0.225f, batch.Images[1, 2, 2, 5].item<float>(), 5);
        // Another pixel, checked against its own bytes, so the layout is HWC -> CHW everywhere.
        var rgb0 = ds.Get(0).Rgb;
        Assert.Equal((rgb0[3 * (3 * W + 1) + 1] / 255f - 0.456f) / 0.224f, batch.Images[0, 1, 3, 1].item<float>(), 5);
    }

    [Fact]
    public void Without_a_labeled_set_every_pixel_is_revealed()
    {
        var ds = Dataset();
        using var batch = BatchBuilder.Build(ds, [2, 0, 2], null, CPU);
        Assert.Equal(new[] { 2, 0, 2 }, batch.Indices);
        Assert.Equal(ScalarType.Int64, batch.Labels.dtype);
        Assert.Equal(ScalarType.Bool, batch.Annotated.dtype);
        Assert.Equal(new long[] { 3, H, W }, batch.Labels.shape);
        Assert.Equal(ds.Get(2).Label.Select(v => (long)v), batch.Labels[0].data<long>().ToArray());
        Assert.Equal(ds.Get(0).Label.Select(v => (long)v), batch.Labels[1].data<long>().ToArray());
        Assert.True(batch.Annotated.all().item<bool>());
    }

    [Fact]
    public void Labeled_regions_reveal_only_their_pixels_and_ignore_pixels_stay_ignored()
    {
        var ds = Dataset();
        ds.Get(1).Label[2 * W + 3] = 255; // an ignore pixel inside the acquired region
        var grid = new RegionGrid(H, W, 2); // 2x3 cells of 2x2
        var labeled = LabeledRegionSet.Empty(3, grid).WithFullyLabeled([0]).WithRegions([new RegionId(1, 4)]); // row 1, column 1
        using var batch = BatchBuilder.Build(ds, [0, 1, 2], labeled, CPU);

        var labels = batch.Labels.data<long>().ToArray();
        var annotated = batch.Annotated.data<bool>().ToArray();
        var truth1 = ds.Get(1).Label;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int p = y * W + x;
                Assert.Equal(ds.Get(0).Label[p], labels[p]);
                Assert.True(annotated[p]);
                bool inRegion = y >= 2 && x is >= 2 and < 4;
                Assert.Equal(inRegion, annotated[H * W + p]);
                Assert.Equal(inRegion ? truth1[p] : 255L, labels[H * W + p]);
                Assert.False(annotated[2 * H * W + p]);
                Assert.Equal(255L, labels[2 * H * W + p]);
            }
        Assert.Equal(255L, labels[H * W + 2 * W + 3]);
        Assert.True(annotated[H * W + 2 * W + 3]);
    }

    [Fact]
    public void Mismatched_labeled_set_or_index_is_rejected()
    {
        var ds = Dataset();
        var wrongCount = LabeledRegionSet.Empty(5, new RegionGrid(H, W, 2));
        Assert.Contains("5 images", Assert.Throws<ArgumentException>(() => BatchBuilder.Build(ds, [0], wrongCount, CPU)).Message);
        var wrongGrid = LabeledRegionSet.Empty(3, new RegionGrid(8, 8, 2));
        Assert.Contains("8x8", Assert.Throws<ArgumentException>(() => BatchBuilder.Build(ds, [0], wrongGrid, CPU)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchBuilder.Build(ds, [3], null, CPU));
        Assert.Throws<ArgumentException>(() => BatchBuilder.Build(ds, [], null, CPU));
    }

    [Fact]
    public void A_bad_file_surfaces_with_its_own_exception()
    {
        using var dir = new TempFolder();
        Fixtures.WriteCamVid(dir.Path, H, W, 3, ("train", ["a", "b"]));
        var labels = new byte[H * W];
        labels[7] = 9;
        ImageFiles.WriteLabelPng(dir["annots/b.png"], H, W, labels);
        var ds = new CamVidDataset(dir.Path, classNames: ["x", "y", "z"]);
        var e = Assert.Throws<InvalidDataException>(() => BatchBuilder.Build(ds, [0, 1], null, CPU));
        Assert.Contains(dir["annots/b.png"], e.Message);
    }

    [Fact]
    public void Batch_of_a_real_dataset_builds_within_a_caller_dispose_scope()
    {
        var ds = new SyntheticSceneDataset(4, seed: 1, height: 32, width: 48);
        using var scope = NewDisposeScope();
        var batch = BatchBuilder.Build(ds, [0, 1, 2, 3], null, CPU);
        Assert.Equal(new long[] { 4, 3, 32, 48 }, batch.Images.shape);
        float mean = batch.Images.mean().item<float>();
        Assert.InRange(mean, -2f, 2f);
        Assert.True(batch.Labels.lt(8).all().item<bool>());
    }
}
