using S4AL.Learning.ActiveLearning;
using S4AL.Reporting.Comparison;
using static S4AL.Reporting.Tests.Comparison.ComparisonFixtures;

namespace S4AL.Reporting.Tests.Comparison;

public class SettingGroupingTests
{
    static IReadOnlyList<KeyValuePair<string, string>> Fields(params (string Key, string Value)[] fields) =>
        fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)).ToList();

    [Fact]
    public void A_name_holds_only_the_fields_that_tell_the_setting_apart_mode_first()
    {
        var names = SettingNames.Of([
            Fields(("settings.cycles", "2"), ("settings.metric", "entropy"), ("settings.mode", "s4al")),
            Fields(("settings.cycles", "2"), ("settings.metric", "random"), ("settings.mode", "s4al")),
            Fields(("settings.cycles", "0"), ("settings.metric", "entropy"), ("settings.mode", "supervised-only")),
        ]);
        Assert.Equal(["mode=s4al metric=entropy", "mode=s4al metric=random", "mode=supervised-only"], names);
    }

    [Fact]
    public void Fields_outside_the_priority_list_follow_in_the_order_of_settings_json()
    {
        var names = SettingNames.Of([
            Fields(("settings.ssl.emaDecay", "0.99"), ("settings.ssl.classMix", "true")),
            Fields(("settings.ssl.emaDecay", "0.999"), ("settings.ssl.classMix", "true")),
            Fields(("settings.ssl.emaDecay", "0.999"), ("settings.ssl.classMix", "false")),
        ]);
        Assert.Equal(["ssl.emaDecay=0.99", "ssl.emaDecay=0.999 ssl.classMix=true", "ssl.emaDecay=0.999 ssl.classMix=false"], names);
    }

    [Fact]
    public void One_setting_is_named_by_its_mode()
    {
        Assert.Equal(["mode=s4al"], SettingNames.Of([DefinitionFields.Of(Definition(Entropy, 1))]));
    }

    [Fact]
    public void Seeds_and_the_image_cache_size_are_no_part_of_a_setting()
    {
        var fields = DefinitionFields.Of(Definition(Entropy, 7) with { Data = Data(7) with { CacheBytes = 1 } });
        Assert.Equal(DefinitionFields.Of(Definition(Entropy, 1)), fields);
        Assert.DoesNotContain(fields, f => f.Key is "data.seed" or "settings.seed" or "data.cacheBytes");
        Assert.Contains(new KeyValuePair<string, string>("settings.budget.count", "4"), fields);
        Assert.Contains(new KeyValuePair<string, string>("annotator", "oracle"), fields);
    }

    [Fact]
    public void Runs_of_different_datasets_are_refused_naming_both_and_the_difference()
    {
        var run = InMemory("b-s1", Entropy, 1, new(0.1, 0.3), new(0.2, 0.3), new(0.3, 0.3));
        var other = run with { Definition = run.Definition with { Data = run.Definition.Data with { PoolSize = 200 } } };
        var error = Assert.Throws<InvalidDataException>(() => SettingGrouping.Group([SweepRuns()[0], other]));
        Assert.Equal("s4al-s1 and b-s1 are runs of different datasets (data.poolSize 100 vs 200); compare runs of one dataset", error.Message);
    }

    [Fact]
    public void Two_runs_of_one_setting_with_the_same_seed_are_refused()
    {
        var twin = SweepRuns()[0] with { Folder = "elsewhere/s4al-s1" };
        var error = Assert.Throws<InvalidDataException>(() => SettingGrouping.Group([SweepRuns()[0], twin]));
        Assert.StartsWith("s4al-s1 and elsewhere/s4al-s1 are the same setting with the same seed 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_a_sweep_gave_its_settings_are_used_when_each_setting_has_one_and_no_two_share_it()
    {
        // Folder names of the standard sweep: "s4al-s1" -> "s4al", "full-s2" -> "full".
        static string? Prefix(string folder) => folder[..folder.LastIndexOf("-s", StringComparison.Ordinal)];
        var named = SettingGrouping.Group(SweepRuns(), Prefix);
        Assert.Equal(["s4al", "random", "full"], named.Select(s => s.Name));
        Assert.Equal(["metric=entropy", "metric=random", "mode=fully-supervised"], named.Select(s => s.Fields!.Split(' ')[^1]));
        // A setting without a name, two names in one setting, or one name for two settings: the fields name them all.
        string[] fieldNames = ["mode=s4al metric=entropy", "mode=s4al metric=random", "mode=fully-supervised"];
        Assert.Equal(fieldNames, SettingGrouping.Group(SweepRuns(), f => f.StartsWith("random", StringComparison.Ordinal) ? null : Prefix(f)).Select(s => s.Name));
        Assert.Equal(fieldNames, SettingGrouping.Group(SweepRuns(), f => f == "s4al-s3" ? "other" : Prefix(f)).Select(s => s.Name));
        Assert.Equal(fieldNames, SettingGrouping.Group(SweepRuns(), f => f.StartsWith("full", StringComparison.Ordinal) ? "s4al" : Prefix(f)).Select(s => s.Name));
        Assert.All(SettingGrouping.Group(SweepRuns(), _ => null), s => Assert.Null(s.Fields));
    }

    [Fact]
    public void Supervised_only_runs_are_a_setting_of_their_own()
    {
        var supervised = Entropy with { Mode = TrainingMode.SupervisedOnly, Cycles = 0, IterationsPerEpoch = 20 };
        var settings = SettingGrouping.Group([SweepRuns()[0], InMemory("supervised-s1", supervised, 1, new ComparisonFixtures.Cycle(0.15, 0.42))]);
        Assert.Equal(["mode=s4al", "mode=supervised-only"], settings.Select(s => s.Name));
    }
}
