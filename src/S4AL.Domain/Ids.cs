using MessagePack;

namespace S4AL.Domain;

/// <summary>Names an experiment across the cluster; one run folder belongs to one experiment.</summary>
[MessagePackObject]
public readonly record struct ExperimentId([property: Key(0)] string Value)
{
    /// <summary>Ids are used in actor names, file names and journal keys: letters, digits, '-', '_' and '.'.</summary>
    public static ExperimentId Parse(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 100 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ArgumentException($"experiment id '{value}' is invalid: use 1-100 letters, digits, '-', '_' or '.'", nameof(value));
        return new ExperimentId(value);
    }

    public override string ToString() => Value;
}

/// <summary>
/// A region of the pool, the unit of annotation: the image's index in the pool and the region's
/// index on the experiment's grid (row-major). The one region type of every project.
/// </summary>
[MessagePackObject]
public readonly record struct RegionId([property: Key(0)] int Image, [property: Key(1)] int Region) : IComparable<RegionId>
{
    public int CompareTo(RegionId other) => Image != other.Image ? Image.CompareTo(other.Image) : Region.CompareTo(other.Region);
    public override string ToString() => $"{Image}:{Region}";
}

/// <summary>A region with its acquisition score (higher = more informative), as a scorer returns it.</summary>
[MessagePackObject]
public readonly record struct RegionCandidate([property: Key(0)] int Image, [property: Key(1)] int Region, [property: Key(2)] double Score)
{
    [IgnoreMember] public RegionId Id => new(Image, Region);
}

/// <summary>
/// A checkpoint file on storage every node reads, with its SHA-256 (verified on load) and
/// where in the cycle it was taken.
/// </summary>
[MessagePackObject]
public sealed record CheckpointRef(
    [property: Key(0)] string Path,
    [property: Key(1)] string Sha256,
    [property: Key(2)] int Cycle,
    [property: Key(3)] int EpochsDone,
    [property: Key(4)] long Step);
