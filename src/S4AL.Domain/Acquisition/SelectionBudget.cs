using System.Text.Json.Serialization;
using MessagePack;

namespace S4AL.Domain.Acquisition;

/// <summary>Whether a budget counts regions per image or over the whole pool.</summary>
public enum BudgetScope
{
    /// <summary>Top-k regions of every image (the authors' default: k = num_regions = 4).</summary>
    PerImage,
    /// <summary>Top-B regions of the whole pool.</summary>
    Global,
}

/// <summary>How many regions one cycle acquires: <see cref="Count"/> per image or over the whole pool.</summary>
[MessagePackObject]
public sealed record SelectionBudget
{
    /// <summary>The authors' default: 4 regions per image per cycle.</summary>
    public static SelectionBudget Default { get; } = PerImage(4);

    [JsonConstructor, SerializationConstructor]
    public SelectionBudget(BudgetScope scope, int count)
    {
        if (!Enum.IsDefined(scope)) throw new ArgumentOutOfRangeException(nameof(scope), $"unknown budget scope value {(int)scope}");
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"a selection budget must be positive, got {count}");
        Scope = scope;
        Count = count;
    }

    [Key(0)] public BudgetScope Scope { get; }
    [Key(1)] public int Count { get; }

    /// <summary>Top-<paramref name="regionsPerImage"/> regions of every image.</summary>
    public static SelectionBudget PerImage(int regionsPerImage) => new(BudgetScope.PerImage, regionsPerImage);

    /// <summary>Top-<paramref name="regions"/> regions of the whole pool.</summary>
    public static SelectionBudget Global(int regions) => new(BudgetScope.Global, regions);

    public override string ToString() => Scope == BudgetScope.PerImage ? $"{Count} per image" : $"{Count} in total";
}
