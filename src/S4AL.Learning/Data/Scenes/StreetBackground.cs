namespace S4AL.Learning.Data.Scenes;

/// <summary>
/// Paints the head classes of a street scene: a sky with gradient and clouds, a skyline of
/// textured building blocks, and a road with asphalt grain, a kerb band and lane markings.
/// Colours overlap between classes on purpose (overcast sky vs. concrete, asphalt vs. dark
/// facades), so texture and position must be learned, not a colour lookup.
/// </summary>
internal static class StreetBackground
{
    static readonly Rgb[] Facades =
    [
        new(150, 78, 62), new(200, 185, 160), new(128, 128, 134), new(95, 90, 100), new(176, 160, 128), new(110, 120, 140),
    ];

    /// <summary>Paints the background; returns the horizon row and the first road row.</summary>
    public static (float Horizon, float Ground) Paint(SceneCanvas c, ref SceneRandom rng, byte sky, byte road, byte building)
    {
        int h = c.Height, w = c.Width;
        float horizon = h * rng.Uniform(0.42f, 0.6f);
        float ground = horizon + h * rng.Uniform(0.03f, 0.1f);

        // Sky: three kinds of weather, a vertical gradient and soft clouds.
        Rgb top, bottom;
        float kind = rng.NextFloat();
        if (kind < 0.6f) { top = new Rgb(60, 120, 205).Jitter(ref rng, 0.15f); bottom = new Rgb(175, 205, 232).Jitter(ref rng, 0.08f); }
        else if (kind < 0.9f) { top = Rgb.Gray(rng.Uniform(165, 205)).Jitter(ref rng, 0.04f); bottom = Rgb.Gray(rng.Uniform(185, 225)).Jitter(ref rng, 0.04f); }
        else { top = new Rgb(90, 80, 145).Jitter(ref rng, 0.1f); bottom = new Rgb(240, 165, 95).Jitter(ref rng, 0.1f); }
        float cloudiness = rng.Uniform(0, 0.55f);
        float fx1 = rng.Uniform(3, 9) / w, fy1 = rng.Uniform(2, 6) / h, p1 = rng.Uniform(0, 6.28f), p2 = rng.Uniform(0, 6.28f);
        float fx2 = rng.Uniform(8, 16) / w, p3 = rng.Uniform(0, 6.28f);
        var cloud = Rgb.Gray(rng.Uniform(215, 245));
        // Cloud field sin(x)sin(y) + sin(x + 0.7y)/2, expanded into per-row and per-column tables (it is separable).
        var sx1 = new float[w]; var sx2 = new float[w]; var cx2 = new float[w];
        for (int x = 0; x < w; x++)
        {
            sx1[x] = MathF.Sin(6.28f * fx1 * x + p1);
            sx2[x] = MathF.Sin(6.28f * fx2 * x + p3);
            cx2[x] = MathF.Cos(6.28f * fx2 * x + p3);
        }
        var sy1 = new float[h]; var sy2 = new float[h]; var cy2 = new float[h];
        for (int y = 0; y < h; y++)
        {
            sy1[y] = MathF.Sin(6.28f * fy1 * y + p2);
            sy2[y] = MathF.Sin(6.28f * fx2 * 0.7f * y);
            cy2[y] = MathF.Cos(6.28f * fx2 * 0.7f * y);
        }
        c.Rect(0, 0, w, ground, sky, (x, y) =>
        {
            float t = y / Math.Max(1, ground);
            float n = sx1[x] * sy1[y] + 0.5f * (sx2[x] * cy2[y] + cx2[x] * sy2[y]);
            float amount = Math.Clamp(cloudiness * (n + 0.3f), 0, 0.85f);
            return Rgb.Lerp(Rgb.Lerp(top, bottom, t), cloud, amount);
        });

        // Skyline: blocks from left to right, with occasional gaps that show the sky.
        float x0 = -rng.Uniform(0, 0.1f) * w;
        while (x0 < w)
        {
            float bw = w * rng.Uniform(0.1f, 0.32f);
            if (rng.Chance(0.15f)) { x0 += bw * 0.5f; continue; }
            float roof = horizon * (1 - rng.Uniform(0.2f, 1.05f));
            PaintBuilding(c, ref rng, x0, roof, x0 + bw, ground, building);
            x0 += bw;
        }

        // Road: asphalt with grain, a lighter kerb/sidewalk wedge on one side, dashed lane line.
        var asphalt = Rgb.Gray(rng.Uniform(78, 118)).Jitter(ref rng, 0.05f);
        var kerb = Rgb.Gray(rng.Uniform(140, 170)).Jitter(ref rng, 0.06f);
        var paint = rng.Chance(0.7f) ? Rgb.Gray(rng.Uniform(205, 235)) : new Rgb(225, 195, 70);
        float vanishX = w * rng.Uniform(0.35f, 0.65f);
        bool kerbLeft = rng.Chance(0.5f);
        float kerbSpread = rng.Uniform(0.1f, 0.4f);
        float dashFreq = rng.Uniform(4, 7), dashPhase = rng.Uniform(0, 6.28f);
        ulong grainSeed = rng.NextULong();
        var dashOn = new bool[h];
        for (int y = (int)ground; y < h; y++)
            dashOn[y] = MathF.Sin(dashFreq / Math.Max(0.05f, (y + 0.5f - horizon) / (h - horizon)) + dashPhase) > 0.1f;
        c.Rect(0, ground, w, h, road, (x, y) =>
        {
            float t = (y + 0.5f - horizon) / (h - horizon); // 0 at the horizon, 1 at the bottom edge
            float dx = x + 0.5f - vanishX;
            float kerbEdge = kerbSpread * w * t * 2.2f;
            bool onKerb = kerbLeft ? dx < -kerbEdge : dx > kerbEdge;
            bool onLine = dashOn[y] && MathF.Abs(dx) < Math.Max(0.6f, 0.012f * w * t);
            float grain = Hash01(grainSeed, x, y) * 22 - 11;
            var baseColour = onKerb ? kerb : onLine ? paint : asphalt;
            return baseColour + Rgb.Gray(grain);
        });
        return (horizon, ground);
    }

    static void PaintBuilding(SceneCanvas c, ref SceneRandom rng, float left, float roof, float right, float bottom, byte label)
    {
        var facade = Facades[rng.Next(0, Facades.Length)].Jitter(ref rng, 0.12f);
        var glass = rng.Chance(0.5f) ? new Rgb(45, 55, 75).Jitter(ref rng, 0.15f) : new Rgb(120, 150, 185).Jitter(ref rng, 0.15f);
        var lit = new Rgb(225, 205, 140);
        float px = rng.Uniform(5, 10) * c.Width / 128f, py = rng.Uniform(6, 11) * c.Height / 96f;
        float fill = rng.Uniform(0.35f, 0.65f);
        float stripe = rng.Uniform(0, 8);
        ulong litSeed = rng.NextULong();
        c.Rect(left, roof, right, bottom, label, (x, y) =>
        {
            float u = (x - left) / px, v = (y - roof) / py;
            float fu = u - MathF.Floor(u), fv = v - MathF.Floor(v);
            bool window = fu > (1 - fill) / 2 && fu < (1 + fill) / 2 && fv > 0.3f && fv < 0.85f && y < bottom - py * 0.6f;
            if (window) return Hash01(litSeed, (int)u, (int)v) < 0.12f ? lit : glass;
            float brick = (y % 3 == 0 ? -stripe : 0);
            float shade = 1 - 0.15f * (y - roof) / Math.Max(1, bottom - roof);
            return facade * shade + Rgb.Gray(brick);
        });
    }

    /// <summary>A deterministic value in [0,1) for a pixel, so textures need no per-pixel generator state.</summary>
    public static float Hash01(ulong seed, int x, int y)
    {
        ulong z = seed ^ ((ulong)(uint)x * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)y * 0xC2B2AE3D27D4EB4FUL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return ((z ^ (z >> 31)) >> 40) * (1f / (1 << 24));
    }
}
