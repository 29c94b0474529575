using System.Globalization;

namespace S4AL.Reporting.Comparison;

/// <summary>How the comparison's numbers are written for people: mIoU to 4 decimals, differences signed, shares in percent to 1 decimal.</summary>
public static class ComparisonNumbers
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Miou(double v) => v.ToString("0.0000", Inv);

    public static string Signed(double v) => v.ToString("+0.0000;-0.0000;0.0000", Inv);

    /// <summary>A fraction (0.155) as percent ("15.5%").</summary>
    public static string Percent(double fraction) => (100 * fraction).ToString("0.0", Inv) + "%";

    public static string Int(int v) => v.ToString(Inv);

    public static string Long(long v) => v.ToString(Inv);

    /// <summary>"800" when every run trained as long, "3200-5600" when they differ, empty when no run says.</summary>
    public static string Range(IReadOnlyList<long>? values) =>
        values is not { Count: > 0 } ? "" : values.Min() == values.Max() ? Long(values[0]) : $"{Long(values.Min())}-{Long(values.Max())}";

    public static string Seed(int seed) => "s" + seed.ToString(Inv);

    public static string Seeds(int count) => count == 1 ? "1 seed" : $"{Int(count)} seeds";

    public static string PerSeed(IEnumerable<SeedValue> values, Func<double, string> format) =>
        string.Join(", ", values.Select(v => $"{Seed(v.Seed)} {format(v.Value)}"));
}
