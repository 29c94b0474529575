using S4AL.Reporting.Comparison;
using static S4AL.Reporting.Tests.Comparison.ComparisonFixtures;

namespace S4AL.Reporting.Tests.Comparison;

/// <summary>The comparison of the standard sweep (ComparisonFixtures) against values computed by hand; no files.</summary>
public class SettingComparisonTests
{
    const int Digits = 12;
    const string EntropyName = "mode=s4al metric=entropy", RandomName = "mode=s4al metric=random", FullName = "mode=fully-supervised";

    static readonly SettingComparison Sweep = SettingComparison.Of(SweepRuns());

    static FinalMiou Final(SettingComparison c, string setting) => Assert.Single(c.Finals, f => f.Setting == setting);

    [Fact]
    public void Runs_are_grouped_by_settings_without_the_seed_and_named_by_what_differs()
    {
        Assert.Equal([EntropyName, RandomName, FullName], Sweep.Settings.Select(s => s.Name));
        Assert.Equal([1, 2, 3], Sweep.Settings[0].Runs.Select(r => r.Seed));
        Assert.Equal(["s4al-s1", "s4al-s2", "s4al-s3"], Sweep.Settings[0].Runs.Select(r => r.Folder));
        Assert.Equal([false, false, true], Sweep.Settings.Select(s => s.IsFullSupervision));
        Assert.Equal(8, Sweep.RunCount);
        Assert.Equal("fashion-mnist, 64x64, pool 100, validation 100 generated images", Sweep.Dataset);
    }

    [Fact]
    public void Settings_come_in_the_order_of_their_first_run_and_full_supervision_last()
    {
        var reversed = SettingComparison.Of(SweepRuns().Reverse().ToList());
        Assert.Equal([RandomName, EntropyName, FullName], reversed.Settings.Select(s => s.Name));
        Assert.Equal([1, 2, 3], reversed.Settings[0].Runs.Select(r => r.Seed));
        Assert.Equal((RandomName, EntropyName), (reversed.Differences[0].A, reversed.Differences[0].B));
    }

    [Fact]
    public void Final_miou_has_the_hand_computed_mean_spread_and_sample_std()
    {
        // s4al entropy: 0.40, 0.45, 0.50 -> mean 0.45, std sqrt((0.05^2 + 0 + 0.05^2) / 2) = 0.05.
        var entropy = Final(Sweep, EntropyName);
        Assert.Equal([new SeedValue(1, 0.40), new SeedValue(2, 0.45), new SeedValue(3, 0.50)], entropy.PerSeed);
        Assert.Equal(0.45, entropy.Mean, Digits);
        Assert.Equal((0.40, 0.50), (entropy.Min, entropy.Max));
        Assert.Equal(0.05, entropy.Std!.Value, Digits);
        Assert.Equal(0.15, entropy.LabeledPixelShare, Digits);
        // random: 0.35, 0.42, 0.40 -> mean 0.39; deviations -0.04, 0.03, 0.01 -> std sqrt(0.0026 / 2).
        var random = Final(Sweep, RandomName);
        Assert.Equal(0.39, random.Mean, Digits);
        Assert.Equal((0.35, 0.42), (random.Min, random.Max));
        Assert.Equal(Math.Sqrt(0.0013), random.Std!.Value, Digits);
        // full: 0.50, 0.60 -> mean 0.55, std sqrt(0.005).
        var full = Final(Sweep, FullName);
        Assert.Equal(0.55, full.Mean, Digits);
        Assert.Equal(Math.Sqrt(0.005), full.Std!.Value, Digits);
        Assert.Equal(1.0, full.LabeledPixelShare);
    }

    [Fact]
    public void Percent_of_full_is_given_of_the_means_and_paired_per_seed()
    {
        var entropy = Final(Sweep, EntropyName).OfFull!;
        Assert.Equal(FullName, entropy.Reference);
        Assert.Equal(0.45 / 0.55, entropy.OfMeans, Digits);
        // Full supervision ran seeds 1 and 2 only: 0.40 / 0.50 and 0.45 / 0.60.
        Assert.Equal([1, 2], entropy.PerSeed.Select(v => v.Seed));
        Assert.Equal(0.80, entropy.PerSeed[0].Value, Digits);
        Assert.Equal(0.75, entropy.PerSeed[1].Value, Digits);
        Assert.Equal(0.775, entropy.PairedMean!.Value, Digits);

        var random = Final(Sweep, RandomName).OfFull!;
        Assert.Equal(0.39 / 0.55, random.OfMeans, Digits);
        Assert.Equal(0.70, random.PairedMean!.Value, Digits); // 0.35 / 0.50 and 0.42 / 0.60
        Assert.Equal(1.0, Final(Sweep, FullName).OfFull!.OfMeans, Digits);
        // As the table writes them.
        Assert.Contains("77.5% (2 seeds: s1 80.0%, s2 75.0%)", ComparisonDocument.Of(Sweep).Tables[0].Rows[0]);
        var oneSeed = SettingComparison.Of([SweepRuns()[0], SweepRuns()[6]]); // s4al seed 1 and full seed 1
        Assert.Contains("80.0% (1 seed: s1 80.0%)", ComparisonDocument.Of(oneSeed).Tables[0].Rows[0]);
    }

    [Fact]
    public void Paired_differences_are_taken_per_common_seed_between_settings_other_than_full()
    {
        var d = Assert.Single(Sweep.Differences);
        Assert.Equal((EntropyName, RandomName), (d.A, d.B));
        Assert.Equal([1, 2, 3], d.PerSeed.Select(v => v.Seed));
        // 0.40 - 0.35, 0.45 - 0.42, 0.50 - 0.40
        Assert.Equal([0.05, 0.03, 0.10], d.PerSeed.Select(v => Math.Round(v.Value, Digits)));
        Assert.Equal(0.06, d.Mean, Digits);
        Assert.Equal(0.03, d.Min, Digits);
        Assert.Equal(0.10, d.Max, Digits);
        Assert.Equal(3, d.AheadCount);
    }

    [Fact]
    public void The_plotted_curves_are_means_per_cycle_with_min_max_bands_and_full_supervision_is_a_line()
    {
        Assert.Equal([EntropyName, RandomName], Sweep.Curves.Select(c => c.Setting));
        var entropy = Sweep.Curves[0].Points;
        Assert.Equal([0, 1, 2], entropy.Select(p => p.Cycle));
        Assert.Equal([10.0, 12.5, 15.0], entropy.Select(p => Math.Round(p.LabeledPercent, Digits)));
        // cycle 0: 0.30, 0.32, 0.28; cycle 1: 0.35, 0.38, 0.41; cycle 2: 0.40, 0.45, 0.50
        Assert.Equal([0.30, 0.38, 0.45], entropy.Select(p => Math.Round(p.Mean, Digits)));
        Assert.Equal([0.28, 0.35, 0.40], entropy.Select(p => p.Min));
        Assert.Equal([0.32, 0.41, 0.50], entropy.Select(p => p.Max));
        Assert.All(entropy, p => Assert.Equal(3, p.Seeds));

        var line = Assert.Single(Sweep.Lines);
        Assert.Equal(FullName, line.Setting);
        Assert.Equal(0.55, line.MeanIoU, Digits);
        Assert.Equal(2, line.Seeds);
    }

    [Fact]
    public void Per_class_iou_is_the_final_cycles_mean_over_seeds_without_missing_values()
    {
        Assert.Equal([EntropyName, RandomName, FullName], Sweep.ClassIou.Settings);
        var background = Assert.Single(Sweep.ClassIou.Rows, r => r.Class == "background");
        Assert.Equal([0.80, 0.70, 0.925], background.PerSetting.Select(v => Math.Round(v!.Value, Digits)));
        // s4al seed 3 has no item IoU: the mean of 0.10 and 0.10.
        var item = Assert.Single(Sweep.ClassIou.Rows, r => r.Class == "item");
        Assert.Equal([0.10, 0.10, 0.175], item.PerSetting.Select(v => Math.Round(v!.Value, Digits)));
    }

    [Fact]
    public void Unmeasured_cycles_are_skipped_with_a_note_and_an_unmeasured_final_leaves_the_run_out_of_the_finals()
    {
        var runs = SweepRuns().ToList();
        runs[1] = InMemory("s4al-s2", Entropy, 2, new(0.10, 0.32), new(0.125, null), new(0.15, 0.45, 0.8, 0.1));
        runs[2] = InMemory("s4al-s3", Entropy, 3, new(0.10, 0.28), new(0.125, 0.41), new(0.15, null));
        var c = SettingComparison.Of(runs);

        var curve = c.Curves[0].Points;
        Assert.Equal([3, 2, 2], curve.Select(p => p.Seeds));
        Assert.Equal(0.38, curve[1].Mean, Digits); // 0.35 and 0.41, seed 2 skipped
        Assert.Equal(0.425, curve[2].Mean, Digits); // 0.40 and 0.45, seed 3 skipped
        var entropy = Final(c, EntropyName);
        Assert.Equal([1, 2], entropy.PerSeed.Select(v => v.Seed));
        Assert.Equal([1, 2], Assert.Single(c.Differences).PerSeed.Select(v => v.Seed));
        Assert.Contains("s4al-s2: cycle 1 has no mIoU (not measured); skipped", c.Notes);
        Assert.Contains("s4al-s3: cycle 2 has no mIoU (not measured); skipped", c.Notes);
    }

    [Fact]
    public void A_setting_without_full_supervision_has_no_percent_and_one_seed_has_no_std()
    {
        var c = SettingComparison.Of([
            InMemory("a", Entropy, 1, new(0.1, 0.3), new(0.2, 0.4), new(0.3, 0.5)),
            InMemory("b", RandomRegions, 1, new(0.1, 0.3), new(0.2, 0.35), new(0.3, 0.45)),
        ]);
        Assert.All(c.Finals, f => Assert.Null(f.OfFull));
        Assert.All(c.Finals, f => Assert.Null(f.Std));
        Assert.Empty(c.Lines);
        Assert.Equal(0.05, Assert.Single(c.Differences).Mean, Digits);
        Assert.Equal(["metric=entropy", "metric=random"], c.Settings.Select(s => s.Name));
        // The table has no "% of full" columns and an empty std.
        var finals = ComparisonDocument.Of(c).Tables[0];
        Assert.Equal(8, finals.Headers.Count);
        Assert.Equal(["metric=entropy", "1", "30.0%", "800", "0.5000", "0.5000-0.5000", "", "s1 0.5000"], finals.Rows[0]);
    }

    [Fact]
    public void Settings_without_a_common_seed_are_not_paired_and_the_note_says_so()
    {
        var c = SettingComparison.Of([
            InMemory("a", Entropy, 1, new(0.1, 0.3), new(0.2, 0.4), new(0.3, 0.5)),
            InMemory("b", RandomRegions, 2, new(0.1, 0.3), new(0.2, 0.35), new(0.3, 0.45)),
        ]);
        Assert.Empty(c.Differences);
        Assert.Contains("'metric=entropy' and 'metric=random' share no seed: no paired difference", c.Notes);
    }

    [Fact]
    public void With_several_full_supervision_settings_the_best_mean_is_the_reference()
    {
        var longer = Full with { EpochsPerCycle = 20 };
        var runs = SweepRuns().Concat([InMemory("full-x2-s1", longer, 1, new Cycle(1.0, 0.60)), InMemory("full-x2-s2", longer, 2, new Cycle(1.0, 0.62))]).ToList();
        var c = SettingComparison.Of(runs);
        Assert.Equal(["mode=s4al metric=entropy", "mode=s4al metric=random", "mode=fully-supervised epochsPerCycle=10", "mode=fully-supervised epochsPerCycle=20"],
            c.Settings.Select(s => s.Name));
        var entropy = Final(c, "mode=s4al metric=entropy").OfFull!;
        Assert.Equal("mode=fully-supervised epochsPerCycle=20", entropy.Reference);
        Assert.Equal(0.45 / 0.61, entropy.OfMeans, Digits);
        Assert.Equal(0.55 / 0.61, Final(c, "mode=fully-supervised epochsPerCycle=10").OfFull!.OfMeans, Digits);
        Assert.Equal(2, c.Lines.Count);
        Assert.Single(c.Differences); // full settings are not paired
        Assert.Contains(c.Notes, n => n.Contains("against 'mode=fully-supervised epochsPerCycle=20'", StringComparison.Ordinal));
    }
}
