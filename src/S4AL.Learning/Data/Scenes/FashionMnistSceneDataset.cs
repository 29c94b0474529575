using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Images;

namespace S4AL.Learning.Data.Scenes;

/// <summary>
/// Street-like scenes with Fashion-MNIST items pasted in: sky, road and building backgrounds
/// (as in <see cref="SyntheticSceneDataset"/>) plus 1-4 items per image whose pixels above
/// an intensity threshold are labeled with the item's class and tinted. Item classes are
/// long-tailed: class k is drawn with weight 0.7^k (t-shirt/top most often, ankle boot about
/// 25 times rarer), so the last classes appear in only a few images. The training pool takes
/// items from the Fashion-MNIST training split, validation scenes from the test split.
/// Deterministic by seed and index.
/// </summary>
public sealed class FashionMnistSceneDataset : ISegmentationDataset
{
    public const byte Sky = 0, Road = 1, Building = 2, FirstItemClass = 3;
    /// <summary>Item pixels at or below this intensity (of 255, after scaling) stay background.</summary>
    public const int ItemThreshold = 40;
    public const float ClassDecay = 0.7f;

    static readonly Rgb[] Tints =
    [
        new(200, 60, 60), new(60, 80, 170), new(90, 150, 90), new(190, 80, 160), new(150, 110, 70),
        new(210, 170, 60), new(70, 160, 170), new(220, 120, 60), new(130, 90, 170), new(110, 70, 50),
    ];

    readonly FashionMnist _items;
    readonly float[] _classWeights;

    /// <param name="split">Where items come from: Train for the pool, Test for validation.</param>
    /// <param name="count">Number of scenes.</param>
    /// <param name="seed">Seed; scene i of two datasets with the same seed, split and size is identical.</param>
    /// <param name="height">Scene height (at least 16).</param>
    /// <param name="width">Scene width (at least 16).</param>
    /// <param name="directory">Folder of the Fashion-MNIST .gz files; default <see cref="FashionMnist.DefaultDirectory"/>.</param>
    public FashionMnistSceneDataset(FashionMnistSplit split, int count, int seed,
        int height = SyntheticSceneDataset.DefaultHeight, int width = SyntheticSceneDataset.DefaultWidth, string? directory = null)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"Fashion-MNIST scene count {count} must be positive");
        if (height < 16 || width < 16) throw new ArgumentOutOfRangeException(nameof(height), $"scene size {height}x{width} must be at least 16x16");
        _items = FashionMnist.Load(split, directory);
        // A class with no items in the files (only in small test files) is never drawn.
        _classWeights = Enumerable.Range(0, FashionMnist.ClassNames.Count)
            .Select(c => _items.ItemsOfClass(c).Count > 0 ? MathF.Pow(ClassDecay, c) : 0f).ToArray();
        Split = split;
        Count = count;
        Seed = seed;
        Height = height;
        Width = width;
        ItemDirectory = Path.GetFullPath(directory ?? FashionMnist.DefaultDirectory);
    }

    /// <summary>Sky, road, building, then the 10 Fashion-MNIST classes.</summary>
    public static IReadOnlyList<string> Classes { get; } = ["sky", "road", "building", .. FashionMnist.ClassNames];

    public string Name => $"fashion-mnist-scenes({Split}, seed={Seed}, {Count} images, {Height}x{Width})";
    public FashionMnistSplit Split { get; }
    public string ItemDirectory { get; }
    public int Count { get; }
    public int Seed { get; }
    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<string> ClassNames => Classes;

    public SegmentationImage Get(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"image {index} is outside {Name}");
        var rng = SceneRandom.For(Seed, index, salt: Split == FashionMnistSplit.Train ? 0xFA5u : 0xFA6u);
        var canvas = new SceneCanvas(Height, Width);
        StreetBackground.Paint(canvas, ref rng, Sky, Road, Building);

        int n = rng.Next(1, 5);
        for (int k = 0; k < n; k++)
        {
            int cls = rng.Pick(_classWeights);
            var pool = _items.ItemsOfClass(cls);
            var item = _items.Item(pool[rng.Next(0, pool.Count)]);
            int size = Math.Max(8, (int)(Height * rng.Uniform(0.22f, 0.45f)));
            int sw = Math.Max(1, size * _items.Columns / _items.Rows);
            var scaled = Resampling.Bilinear(item.ToArray(), _items.Rows, _items.Columns, 1, size, sw);
            int left = rng.Next(-sw / 4, Width - 3 * sw / 4), top = rng.Next(Height / 8, Height - 3 * size / 4);
            var tint = Tints[cls].Jitter(ref rng, 0.25f);
            byte label = (byte)(FirstItemClass + cls);
            for (int y = 0; y < size; y++)
            {
                int py = top + y;
                if ((uint)py >= (uint)Height) continue;
                for (int x = 0; x < sw; x++)
                {
                    int px = left + x, v = scaled[y * sw + x];
                    if ((uint)px >= (uint)Width || v <= ItemThreshold) continue;
                    canvas.Set(px, py, label, tint * (0.3f + 0.8f * v / 255f));
                }
            }
        }
        return new SegmentationImage($"fashion-{Split.ToString().ToLowerInvariant()}-{Seed}-{index}", Height, Width, canvas.Develop(ref rng), canvas.Label);
    }
}
