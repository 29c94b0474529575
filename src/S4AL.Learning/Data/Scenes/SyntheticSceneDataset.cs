using S4AL.Learning.Data.Datasets;

namespace S4AL.Learning.Data.Scenes;

/// <summary>
/// The built-in dataset: street-like scenes generated on demand, the same for a given seed
/// and index on every run. Sky, road and building cover most pixels; cars, people, poles,
/// signs and bicycles are progressively smaller and rarer (bicycles are in about one image
/// in ten), so the pixel distribution is long-tailed like CamVid's and class balancing
/// matters. Each class has its own colour range and texture, but ranges overlap and every
/// frame gets its own exposure, colour cast and noise, so a network must use shape and
/// context rather than a per-pixel colour lookup.
/// </summary>
public sealed class SyntheticSceneDataset : ISegmentationDataset
{
    public const byte Sky = 0, Road = 1, Building = 2, Car = 3, Person = 4, Pole = 5, Sign = 6, Bicycle = 7;

    /// <summary>Class names, indexed by the constants above.</summary>
    public static IReadOnlyList<string> Classes { get; } = ["sky", "road", "building", "car", "person", "pole", "sign", "bicycle"];

    public const int DefaultHeight = 96, DefaultWidth = 128;

    static readonly Rgb[] CarPaints =
        [new(170, 30, 35), new(40, 60, 150), new(220, 220, 222), new(30, 30, 35), new(160, 165, 170), new(210, 180, 40), new(40, 110, 60)];
    static readonly Rgb[] Clothes =
        [new(180, 40, 40), new(40, 70, 160), new(230, 230, 230), new(40, 40, 45), new(60, 130, 70), new(200, 150, 50), new(120, 60, 140)];

    /// <param name="count">Number of images.</param>
    /// <param name="seed">Seed; image i of two datasets with the same seed and size is identical.</param>
    /// <param name="height">Image height (at least 16).</param>
    /// <param name="width">Image width (at least 16).</param>
    public SyntheticSceneDataset(int count, int seed, int height = DefaultHeight, int width = DefaultWidth)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"synthetic dataset size {count} must be positive");
        if (height < 16 || width < 16) throw new ArgumentOutOfRangeException(nameof(height), $"synthetic image size {height}x{width} must be at least 16x16");
        Count = count;
        Seed = seed;
        Height = height;
        Width = width;
    }

    public string Name => $"synthetic(seed={Seed}, {Count} images, {Height}x{Width})";
    public int Count { get; }
    public int Seed { get; }
    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<string> ClassNames => Classes;

    public SegmentationImage Get(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"image {index} is outside {Name}");
        var rng = SceneRandom.For(Seed, index, salt: 0x5CE7E);
        var canvas = new SceneCanvas(Height, Width);
        var (horizon, ground) = StreetBackground.Paint(canvas, ref rng, Sky, Road, Building);

        // Objects stand on the road; their size follows depth, and nearer ones are painted last.
        var objects = new List<(float Foot, int Kind)>();
        void Place(int kind, int n)
        {
            for (int k = 0; k < n; k++) objects.Add((0, kind));
        }
        if (rng.Chance(0.65f)) Place(Car, rng.Next(1, 4));
        if (rng.Chance(0.3f)) Place(Person, rng.Next(1, 3));
        if (rng.Chance(0.45f)) Place(Pole, rng.Next(1, 3));
        if (rng.Chance(0.1f)) Place(Bicycle, 1);
        for (int k = 0; k < objects.Count; k++)
            objects[k] = (ground + (Height - ground) * rng.Uniform(0.15f, 1f), objects[k].Kind);
        objects.Sort((a, b) => a.Foot.CompareTo(b.Foot));

        foreach (var (foot, kind) in objects)
        {
            float depth = (foot - horizon) / (Height - horizon); // 0 at the horizon, 1 at the camera
            float x = Width * rng.Uniform(-0.05f, 1.05f);
            switch (kind)
            {
                case Car: PaintCar(canvas, ref rng, x, foot, depth); break;
                case Person: PaintPerson(canvas, ref rng, x, foot, depth); break;
                case Pole: PaintPole(canvas, ref rng, x, foot, depth); break;
                case Bicycle: PaintBicycle(canvas, ref rng, x, foot, depth); break;
            }
        }
        return new SegmentationImage($"synthetic-{Seed}-{index}", Height, Width, canvas.Develop(ref rng), canvas.Label);
    }

    void PaintCar(SceneCanvas c, ref SceneRandom rng, float cx, float foot, float depth)
    {
        float w = Width * 0.4f * depth * rng.Uniform(0.85f, 1.15f), h = w * rng.Uniform(0.42f, 0.55f);
        float left = cx - w / 2, top = foot - h;
        var paint = CarPaints[rng.Next(0, CarPaints.Length)].Jitter(ref rng, 0.1f);
        var glass = new Rgb(40, 50, 65).Jitter(ref rng, 0.2f);
        var tyre = Rgb.Gray(22);
        float body = top + h * 0.45f;
        // Cabin (a trapezoid of glass framed by paint), then the body with a sheen gradient, then wheels.
        float inset = w * rng.Uniform(0.12f, 0.22f);
        c.Triangle(left + inset * 0.4f, body, left + inset, top, left + inset, body, Car, (_, _) => paint);
        c.Triangle(left + w - inset * 0.4f, body, left + w - inset, top, left + w - inset, body, Car, (_, _) => paint);
        c.Rect(left + inset, top, left + w - inset, body, Car, (x, y) => (y - top) < h * 0.06f ? paint : glass);
        c.Rect(left, body, left + w, foot - h * 0.08f, Car, (x, y) => paint * (1.15f - 0.35f * (y - body) / Math.Max(1, foot - body)));
        float r = h * 0.2f;
        c.Ellipse(left + w * 0.22f, foot - r, r, r, Car, (_, _) => tyre);
        c.Ellipse(left + w * 0.78f, foot - r, r, r, Car, (_, _) => tyre);
    }

    void PaintPerson(SceneCanvas c, ref SceneRandom rng, float cx, float foot, float depth)
    {
        float h = Height * 0.55f * depth * rng.Uniform(0.85f, 1.15f), w = h * 0.3f;
        var skin = new Rgb(205, 160, 130).Jitter(ref rng, 0.2f);
        var shirt = Clothes[rng.Next(0, Clothes.Length)].Jitter(ref rng, 0.12f);
        var trousers = new Rgb(50, 55, 75).Jitter(ref rng, 0.3f);
        float head = h * 0.13f, shoulders = foot - h + 2 * head, hips = foot - h * 0.45f;
        c.Line(cx - w * 0.2f, hips, cx - w * 0.25f, foot, w * 0.3f, Person, (_, _) => trousers);
        c.Line(cx + w * 0.2f, hips, cx + w * 0.25f, foot, w * 0.3f, Person, (_, _) => trousers);
        c.Rect(cx - w / 2, shoulders, cx + w / 2, hips + 1, Person, (_, y) => shirt * (1.05f - 0.2f * (y - shoulders) / Math.Max(1, hips - shoulders)));
        c.Ellipse(cx, foot - h + head, head * 0.85f, head, Person, (_, _) => skin);
    }

    void PaintPole(SceneCanvas c, ref SceneRandom rng, float x, float foot, float depth)
    {
        float h = Height * rng.Uniform(0.55f, 0.95f) * depth + Height * 0.1f;
        float w = Math.Max(1f, Width * 0.014f * depth);
        var metal = rng.Chance(0.7f) ? Rgb.Gray(rng.Uniform(85, 135)).Jitter(ref rng, 0.05f) : new Rgb(50, 75, 58).Jitter(ref rng, 0.1f);
        float top = foot - h;
        c.Rect(x - w / 2, top, x + w / 2, foot, Pole, (px, _) => metal * (px + 0.5f < x ? 1.1f : 0.9f));
        if (!rng.Chance(0.45f)) return;

        float r = Math.Max(2.2f, Width * 0.045f * depth) * rng.Uniform(0.85f, 1.2f);
        float sy = top + r;
        switch (rng.Next(0, 3))
        {
            case 0: // prohibition: red ring on white
                var red = new Rgb(200, 30, 35).Jitter(ref rng, 0.1f);
                c.Ellipse(x, sy, r, r, Sign, (_, _) => Rgb.Gray(235));
                c.Ring(x, sy, r, Math.Max(1, r * 0.3f), Sign, (_, _) => red);
                break;
            case 1: // warning: yellow triangle
                var yellow = new Rgb(230, 200, 45).Jitter(ref rng, 0.08f);
                c.Triangle(x - r, sy + r * 0.8f, x + r, sy + r * 0.8f, x, sy - r, Sign, (_, _) => yellow);
                break;
            default: // information: blue square with a white mark
                var blue = new Rgb(35, 75, 170).Jitter(ref rng, 0.1f);
                c.Rect(x - r, sy - r, x + r, sy + r, Sign, (px, py) => MathF.Abs(px + 0.5f - x) < r * 0.2f && py + 0.5f < sy + r * 0.5f ? Rgb.Gray(235) : blue);
                break;
        }
    }

    void PaintBicycle(SceneCanvas c, ref SceneRandom rng, float cx, float foot, float depth)
    {
        float r = Math.Max(2.5f, Height * 0.1f * depth);
        float t = Math.Max(1f, r * 0.22f);
        var frame = Clothes[rng.Next(0, Clothes.Length)].Jitter(ref rng, 0.15f);
        var tyre = Rgb.Gray(28);
        float back = cx - 1.3f * r, front = cx + 1.3f * r, axle = foot - r;
        c.Ring(back, axle, r, t, Bicycle, (_, _) => tyre);
        c.Ring(front, axle, r, t, Bicycle, (_, _) => tyre);
        float seatX = cx - 0.3f * r, seatY = axle - 1.2f * r, barX = front - 0.3f * r;
        c.Line(back, axle, seatX, seatY, t, Bicycle, (_, _) => frame);
        c.Line(back, axle, cx, axle, t, Bicycle, (_, _) => frame);
        c.Line(cx, axle, seatX, seatY, t, Bicycle, (_, _) => frame);
        c.Line(cx, axle, barX, seatY, t, Bicycle, (_, _) => frame);
        c.Line(seatX, seatY, barX, seatY, t, Bicycle, (_, _) => frame);
        c.Line(barX, seatY, front, axle, t, Bicycle, (_, _) => frame);
    }
}
