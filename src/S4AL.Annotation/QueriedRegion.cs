namespace S4AL.Annotation;

/// <summary>
/// One queried region of a pool image: the pixel rectangle [Top, Bottom) x [Left, Right).
/// <see cref="Region"/> is the region's index in the image's grid, carried so that exports can
/// name the region a person works on.
/// </summary>
public sealed record QueriedRegion(int Region, int Top, int Bottom, int Left, int Right)
{
    public bool Contains(int y, int x) => y >= Top && y < Bottom && x >= Left && x < Right;
}
