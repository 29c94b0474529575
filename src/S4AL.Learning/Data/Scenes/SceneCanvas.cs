namespace S4AL.Learning.Data.Scenes;

/// <summary>An RGB colour in 0..255 floats, for painting generated scenes.</summary>
internal readonly record struct Rgb(float R, float G, float B)
{
    public static Rgb operator *(Rgb c, float k) => new(c.R * k, c.G * k, c.B * k);
    public static Rgb operator +(Rgb a, Rgb b) => new(a.R + b.R, a.G + b.G, a.B + b.B);
    public static Rgb Lerp(Rgb a, Rgb b, float t) => new(a.R + (b.R - a.R) * t, a.G + (b.G - a.G) * t, a.B + (b.B - a.B) * t);
    public static Rgb Gray(float v) => new(v, v, v);

    /// <summary>The colour with each channel scaled by its own random factor in [1-spread, 1+spread].</summary>
    public Rgb Jitter(ref SceneRandom rng, float spread) =>
        new(R * rng.Uniform(1 - spread, 1 + spread), G * rng.Uniform(1 - spread, 1 + spread), B * rng.Uniform(1 - spread, 1 + spread));
}

/// <summary>
/// A float RGB canvas with a label map, painted back to front by the scene generators.
/// Shapes are given by an inside-test over a clipped bounding box, so every shape labels
/// exactly the pixels it colours.
/// </summary>
internal sealed class SceneCanvas
{
    public SceneCanvas(int height, int width)
    {
        Height = height;
        Width = width;
        Rgb = new float[height * width * 3];
        Label = new byte[height * width];
    }

    public int Height { get; }
    public int Width { get; }
    public float[] Rgb { get; }
    public byte[] Label { get; }

    public void Set(int x, int y, byte label, Rgb c)
    {
        int i = y * Width + x;
        Label[i] = label;
        Rgb[3 * i] = c.R;
        Rgb[3 * i + 1] = c.G;
        Rgb[3 * i + 2] = c.B;
    }

    public void Fill(float left, float top, float right, float bottom, Func<float, float, bool> inside, byte label, Func<int, int, Rgb> shade)
    {
        int x0 = Math.Max(0, (int)MathF.Floor(left)), x1 = Math.Min(Width, (int)MathF.Ceiling(right));
        int y0 = Math.Max(0, (int)MathF.Floor(top)), y1 = Math.Min(Height, (int)MathF.Ceiling(bottom));
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                if (inside(x + 0.5f, y + 0.5f)) Set(x, y, label, shade(x, y));
    }

    public void Rect(float left, float top, float right, float bottom, byte label, Func<int, int, Rgb> shade) =>
        Fill(left, top, right, bottom, static (_, _) => true, label, shade);

    public void Ellipse(float cx, float cy, float rx, float ry, byte label, Func<int, int, Rgb> shade) =>
        Fill(cx - rx, cy - ry, cx + rx, cy + ry, (x, y) => Sq((x - cx) / rx) + Sq((y - cy) / ry) <= 1, label, shade);

    public void Ring(float cx, float cy, float r, float thickness, byte label, Func<int, int, Rgb> shade) =>
        Fill(cx - r, cy - r, cx + r, cy + r, (x, y) =>
        {
            float d = MathF.Sqrt(Sq(x - cx) + Sq(y - cy));
            return d <= r && d >= r - thickness;
        }, label, shade);

    /// <summary>A segment of the given width (pixels whose distance to it is at most width/2).</summary>
    public void Line(float ax, float ay, float bx, float by, float width, byte label, Func<int, int, Rgb> shade)
    {
        float h = Math.Max(0.5f, width / 2);
        float dx = bx - ax, dy = by - ay, len2 = Math.Max(1e-6f, dx * dx + dy * dy);
        Fill(Math.Min(ax, bx) - h, Math.Min(ay, by) - h, Math.Max(ax, bx) + h, Math.Max(ay, by) + h, (x, y) =>
        {
            float t = Math.Clamp(((x - ax) * dx + (y - ay) * dy) / len2, 0, 1);
            return Sq(x - ax - t * dx) + Sq(y - ay - t * dy) <= h * h;
        }, label, shade);
    }

    public void Triangle(float ax, float ay, float bx, float by, float cx, float cy, byte label, Func<int, int, Rgb> shade) =>
        Fill(Math.Min(ax, Math.Min(bx, cx)), Math.Min(ay, Math.Min(by, cy)), Math.Max(ax, Math.Max(bx, cx)), Math.Max(ay, Math.Max(by, cy)), (x, y) =>
        {
            float d1 = Edge(x, y, ax, ay, bx, by), d2 = Edge(x, y, bx, by, cx, cy), d3 = Edge(x, y, cx, cy, ax, ay);
            bool neg = d1 < 0 || d2 < 0 || d3 < 0, pos = d1 > 0 || d2 > 0 || d3 > 0;
            return !(neg && pos);
        }, label, shade);

    /// <summary>
    /// Photometric variation of a whole frame, then conversion to bytes: a global exposure and
    /// colour cast (so no class has a fixed colour), a horizontal light falloff, and sensor noise.
    /// </summary>
    public byte[] Develop(ref SceneRandom rng, float exposureLo = 0.65f, float exposureHi = 1.3f)
    {
        float gain = rng.Uniform(exposureLo, exposureHi);
        Span<float> cast = [rng.Uniform(0.9f, 1.1f), rng.Uniform(0.9f, 1.1f), rng.Uniform(0.9f, 1.1f)];
        float falloff = rng.Uniform(-0.15f, 0.15f);
        float sigma = rng.Uniform(3f, 9f);
        var bytes = new byte[Rgb.Length];
        var light = new float[Width * 3];
        for (int x = 0; x < Width; x++)
            for (int c = 0; c < 3; c++)
                light[3 * x + c] = gain * cast[c] * (1 + falloff * (2f * x / Width - 1));
        for (int y = 0; y < Height; y++)
        {
            int row = 3 * y * Width;
            for (int i = 0; i < 3 * Width; i++)
                bytes[row + i] = (byte)Math.Clamp((int)(Rgb[row + i] * light[i] + sigma * rng.Gaussian() + 0.5f), 0, 255);
        }
        return bytes;
    }

    static float Sq(float v) => v * v;
    static float Edge(float px, float py, float ax, float ay, float bx, float by) => (px - bx) * (ay - by) - (ax - bx) * (py - by);
}
