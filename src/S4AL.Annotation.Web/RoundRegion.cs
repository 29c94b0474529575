namespace S4AL.Annotation.Web;

/// <summary>A queried region with its pixel rectangle [Top, Bottom) x [Left, Right) in its image.</summary>
public sealed record RoundRegion(int Image, int Region, int Top, int Bottom, int Left, int Right)
{
    public RegionKey Key => new(Image, Region);
    public int Pixels => (Bottom - Top) * (Right - Left);
}
