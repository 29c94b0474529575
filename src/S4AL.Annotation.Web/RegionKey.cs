namespace S4AL.Annotation.Web;

/// <summary>A queried region: the pool image's index and the region's index in the image's grid.</summary>
public readonly record struct RegionKey(int Image, int Region)
{
    public override string ToString() => $"{Image}:{Region}";
}
