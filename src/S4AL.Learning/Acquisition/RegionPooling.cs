using S4AL.Learning.Data.Regions;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Acquisition;

/// <summary>Turns per-pixel scores into per-region scores on a <see cref="RegionGrid"/>.</summary>
public static class RegionPooling
{
    /// <summary>
    /// Mean score of every region: scores [B,H,W] (H,W = the grid's image size) to
    /// [B, grid.RegionCount], region index = row * Columns + column. Adaptive average pooling,
    /// as the authors do, whose cell bounds are exactly <see cref="RegionGrid.Bounds"/>, so a
    /// region's score averages precisely the pixels that acquiring it annotates.
    /// </summary>
    public static Tensor Pool(Tensor pixelScores, RegionGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (pixelScores.ndim != 3)
            throw new ArgumentException($"pixel scores must be [B,H,W], got [{string.Join(",", pixelScores.shape)}]", nameof(pixelScores));
        if (pixelScores.shape[1] != grid.Height || pixelScores.shape[2] != grid.Width)
            throw new ArgumentException(
                $"pixel scores are {pixelScores.shape[1]}x{pixelScores.shape[2]} but the region grid is for {grid.Height}x{grid.Width} images",
                nameof(pixelScores));
        using var scope = NewDisposeScope();
        var pooled = nn.functional.adaptive_avg_pool2d(pixelScores.unsqueeze(1), (grid.Rows, grid.Columns));
        return pooled.reshape(pixelScores.shape[0], grid.RegionCount).MoveToOuterDisposeScope();
    }
}
