using S4AL.Learning.Acquisition;
using S4AL.Learning.Data.Regions;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Acquisition;

public class RegionPoolingTests
{
    [Theory]
    [InlineData(16, 24, 8)]  // divisible: 2x3 disjoint cells
    [InlineData(17, 23, 5)]  // non-divisible: 3x4 cells that overlap by a pixel
    [InlineData(13, 13, 4)]
    [InlineData(20, 30, 30 / 3)]
    public void Region_score_is_the_mean_over_the_grid_cell(int height, int width, int regionSize)
    {
        using var scope = NewDisposeScope();
        var grid = new RegionGrid(height, width, regionSize);
        var scores = rand([2, height, width], generator: new Generator(3));
        var pooled = RegionPooling.Pool(scores, grid);
        Assert.Equal(new long[] { 2, grid.RegionCount }, pooled.shape);

        var pixels = scores.data<float>().ToArray();
        var actual = pooled.data<float>().ToArray();
        for (int b = 0; b < 2; b++)
            for (int r = 0; r < grid.RegionCount; r++)
            {
                var (top, bottom, left, right) = grid.Bounds(r);
                double sum = 0;
                for (int y = top; y < bottom; y++)
                    for (int x = left; x < right; x++)
                        sum += pixels[(b * height + y) * width + x];
                double mean = sum / ((bottom - top) * (right - left));
                Assert.Equal(mean, actual[b * grid.RegionCount + r], 1e-5);
            }
    }

    [Fact]
    public void Scores_of_another_size_than_the_grid_are_rejected()
    {
        using var scope = NewDisposeScope();
        var grid = new RegionGrid(16, 24, 8);
        var e = Assert.Throws<ArgumentException>(() => RegionPooling.Pool(zeros(1, 16, 20), grid));
        Assert.Contains("16x20", e.Message);
        Assert.Throws<ArgumentException>(() => RegionPooling.Pool(zeros(1, 1, 16, 24), grid));
    }
}
