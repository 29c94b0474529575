using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;
using static S4AL.Domain.Tests.Experiments.Fixtures;

namespace S4AL.Domain.Tests.Experiments;

/// <summary>People label the queried regions: the round waits, labels are checked, stored once, corrected, closed.</summary>
public class AnnotationTests
{
    static readonly RegionId[] Queried = [new(5, 1), new(9, 3), new(3, 0)];

    static RegionLabel Label(char hash, string annotator = "ana", double? seconds = 4.0, int pixels = 100) =>
        new(new string(hash, 64), annotator, seconds, pixels);

    static Journal HumanJournalAnnotating()
    {
        var j = new Journal(Plan(annotator: AnnotatorMode.Human));
        j.TrainScoreAcquire(Queried);
        return j;
    }

    [Fact]
    public void A_human_round_waits_for_every_label_then_records_the_figures_and_starts_the_next_cycle()
    {
        var j = HumanJournalAnnotating();
        Assert.Equal((CyclePhase.Annotating, NextAction.AwaitLabels), (j.State.Phase, ExperimentDecisions.Next(j.State)));
        Assert.True(ExperimentDecisions.Progress(j.State).Events.IsEmpty);

        j.Do(s => ExperimentDecisions.Label(s, 0, new(5, 1), Label('a', "ana", 3.0, 90)));
        j.Do(s => ExperimentDecisions.Label(s, 0, new(9, 3), Label('b', "ben", 5.0, 80)));
        Assert.Equal(NextAction.AwaitLabels, ExperimentDecisions.Next(j.State));
        var s = j.Do(x => ExperimentDecisions.Label(x, 0, new(3, 0), Label('c', "ana", 10.0, 70)));
        Assert.Equal(NextAction.Annotate, ExperimentDecisions.Next(s));

        s = j.Do(x => ExperimentDecisions.Progress(x));
        var record = Assert.Single(s.History);
        Assert.Equal(Queried, record.Acquired);
        Assert.Equal(new AnnotationFigures(3, 3, 240, 18.0, 5.0, 2, 0), record.Annotation);
        s = j.Do(x => ExperimentDecisions.Progress(x));
        Assert.Equal((1, CyclePhase.Training), (s.Cycle, s.Phase));
        Assert.Empty(s.CycleLabels);
        Assert.Equal(Describe(s), Describe(Journal.Replay(j.Events)));
    }

    [Fact]
    public void The_same_label_twice_is_stored_once_and_another_one_is_a_correction()
    {
        var j = HumanJournalAnnotating();
        j.Do(s => ExperimentDecisions.Label(s, 0, new(5, 1), Label('a')));
        Assert.Equal(Decision.None, ExperimentDecisions.Label(j.State, 0, new(5, 1), Label('a', "someone else")));
        var s = j.Do(x => ExperimentDecisions.Label(x, 0, new(5, 1), Label('d', "ben", 2.0, 50)));
        Assert.Equal(2, j.Events.OfType<RegionLabeled>().Count());
        Assert.Equal(new RegionLabel(new string('d', 64), "ben", 2.0, 50, Corrections: 1), s.CycleLabels[new(5, 1)]);
        Assert.Single(s.CycleLabels);
    }

    [Fact]
    public void Closing_the_round_returns_unlabeled_regions_to_the_pool()
    {
        var j = HumanJournalAnnotating();
        j.Do(s => ExperimentDecisions.Label(s, 0, new(9, 3), Label('b', seconds: null)));
        var s = j.Do(x => ExperimentDecisions.CloseAnnotation(x, 0));
        Assert.True(s.AnnotationClosed);
        Assert.DoesNotContain(new RegionId(5, 1), s.Acquired);
        Assert.DoesNotContain(new RegionId(3, 0), s.Acquired);
        Assert.Contains(new RegionId(9, 3), s.Acquired);
        Assert.Equal(NextAction.Annotate, ExperimentDecisions.Next(s));
        Assert.NotNull(ExperimentDecisions.Label(s, 0, new(5, 1), Label('a')).Refusal);
        Assert.True(ExperimentDecisions.CloseAnnotation(s, 0).IsRefused);

        s = j.Do(x => ExperimentDecisions.Progress(x));
        var record = Assert.Single(s.History);
        Assert.Equal([new RegionId(9, 3)], record.Acquired);
        Assert.Equal(new AnnotationFigures(3, 1, 100, 0, null, 1, 0), record.Annotation);
        // The returned regions can be queried again: the next cycle's shards offer them.
        s = j.Do(x => ExperimentDecisions.Progress(x));
        Assert.DoesNotContain(new RegionId(5, 1), s.LabeledSet().Acquired());
        Assert.Equal(Describe(s), Describe(Journal.Replay(j.Events)));
    }

    [Theory]
    [InlineData("not queried")]
    [InlineData("other cycle")]
    [InlineData("bad hash")]
    [InlineData("no annotator")]
    [InlineData("negative seconds")]
    [InlineData("oracle")]
    [InlineData("training")]
    public void Labels_that_cannot_be_taken_are_refused_with_the_reason(string why)
    {
        var j = why == "oracle" ? new Journal(Plan()) : HumanJournalAnnotating();
        if (why == "oracle") j.TrainScoreAcquire(Queried);
        if (why == "training") j = new Journal(Plan(annotator: AnnotatorMode.Human));
        var (cycle, region, label, expected) = why switch
        {
            "not queried" => (0, new RegionId(0, 1), Label('a'), "not queried in cycle 0"),
            "other cycle" => (1, new RegionId(5, 1), Label('a'), "not cycle 1"),
            "bad hash" => (0, new RegionId(5, 1), Label('a') with { Sha256 = "XYZ" }, "SHA-256"),
            "no annotator" => (0, new RegionId(5, 1), Label('a', annotator: " "), "no annotator"),
            "negative seconds" => (0, new RegionId(5, 1), Label('a', seconds: -1), "-1 seconds"),
            "oracle" => (0, new RegionId(5, 1), Label('a'), "labeled by the oracle"),
            _ => (0, new RegionId(5, 1), Label('a'), "training: it waits for no labels"),
        };
        var decision = ExperimentDecisions.Label(j.State, cycle, region, label);
        Assert.Contains(expected, decision.Refusal);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Events_that_do_not_fit_the_round_are_a_corrupt_journal()
    {
        var j = HumanJournalAnnotating();
        Assert.Throws<InvalidOperationException>(() => j.State.Apply(new RegionLabeled(j.State.Id, 0, new(0, 1), Label('a'))));
        Assert.Throws<InvalidOperationException>(() => j.State.Apply(new RegionsAnnotated(j.State.Id, 0)));
        var oracle = new Journal(Plan());
        oracle.TrainScoreAcquire(Queried);
        Assert.Throws<InvalidOperationException>(() => oracle.State.Apply(new AnnotationClosed(oracle.State.Id, 0)));
    }

    [Fact]
    public void A_snapshot_keeps_the_rounds_labels_and_whether_it_was_closed()
    {
        var j = HumanJournalAnnotating();
        j.Do(s => ExperimentDecisions.Label(s, 0, new(5, 1), Label('a')));
        j.Do(s => ExperimentDecisions.CloseAnnotation(s, 0));
        var restored = ExperimentSnapshot.From(j.State).ToState();
        Assert.Equal(Describe(j.State), Describe(restored));
    }

    [Fact]
    public void The_median_of_annotation_seconds_counts_only_labels_whose_time_is_known()
    {
        var figures = AnnotationFigures.Of(5, [Label('a', seconds: 1), Label('b', seconds: 9), Label('c', seconds: null), Label('d', "ben", 4)]);
        Assert.Equal((4, 14.0, 4.0, 2), (figures.RegionsLabeled, figures.SecondsSum, figures.SecondsMedian, figures.Annotators));
    }
}
