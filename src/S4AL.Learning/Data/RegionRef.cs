namespace S4AL.Learning.Data;

/// <summary>A region of one pool image: the image's index in its dataset and the region index on the grid.</summary>
public readonly record struct RegionRef(int Image, int Region);

/// <summary>A candidate region with its acquisition score (higher = more informative).</summary>
public readonly record struct RegionScore(int Image, int Region, float Score);
