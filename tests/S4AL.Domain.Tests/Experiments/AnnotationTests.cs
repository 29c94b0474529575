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

    /// <summary>A human-labeled experiment past its initial round (labeled in full), waiting for the labels of cycle 0's <see cref="Queried"/>.</summary>
    static Journal HumanJournalAnnotating()
    {
        var j = new Journal(Plan(annotator: AnnotatorMode.Human));
        foreach (var r in j.State.CycleAcquisition) j.Do(s => ExperimentDecisions.Label(s, 0, r, Label('f', "start", 1.0)));
        j.Do(s => ExperimentDecisions.Progress(s));
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
        Assert.Equal(2, j.Events.OfType<RegionLabeled>().Count(e => e.Region == new RegionId(5, 1)));
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
        if (why == "training") j = new Journal(Plan(annotator: AnnotatorMode.Human, fully: [], initial: []));
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

    [Fact]
    public void With_people_the_initial_set_is_the_first_round_queried_in_full_and_cycle_0_trains_after_it()
    {
        // Images 1 and 4 fully labeled (4 regions each) and regions 0:0 and 2:3: ten queries.
        var j = new Journal(Plan(annotator: AnnotatorMode.Human));
        var s = j.State;
        Assert.True(s.IsInitialRound);
        Assert.Equal((0, CyclePhase.Annotating, NextAction.AwaitLabels), (s.Cycle, s.Phase, ExperimentDecisions.Next(s)));
        RegionId[] expected = [new(0, 0), new(1, 0), new(1, 1), new(1, 2), new(1, 3), new(2, 3), new(4, 0), new(4, 1), new(4, 2), new(4, 3)];
        Assert.Equal(expected, s.CycleAcquisition);
        Assert.True(ExperimentDecisions.StartAttempt(s).Events.IsEmpty);

        foreach (var r in expected.Take(9)) j.Do(x => ExperimentDecisions.Label(x, 0, r, Label((char)('a' + r.Image))));
        s = j.Do(x => ExperimentDecisions.CloseAnnotation(x, 0));
        // Region 4:3 stays without a label; a fully labeled image keeps its place in the labeled set.
        s = j.Do(x => ExperimentDecisions.Progress(x));
        Assert.Equal((0, CyclePhase.Training, NextAction.Train), (s.Cycle, s.Phase, ExperimentDecisions.Next(s)));
        Assert.Empty(s.History);
        Assert.Equal(new AnnotationFigures(10, 9, 900, 36, 4, 1, 0), s.InitialAnnotation);
        Assert.Equal([1, 4], s.FullyLabeled.Order());
        Assert.Empty(s.CycleAcquisition);

        j.TrainScoreAcquire(Queried);
        Assert.False(j.State.IsInitialRound);
        Assert.Equal(NextAction.AwaitLabels, ExperimentDecisions.Next(j.State));
        Assert.Equal(Describe(j.State), Describe(Journal.Replay(j.Events)));
        Assert.Equal(Describe(j.State), Describe(ExperimentSnapshot.From(j.State).ToState()));
    }

    [Fact]
    public void With_people_and_no_initial_set_cycle_0_trains_at_once()
    {
        var s = new Journal(Plan(annotator: AnnotatorMode.Human, fully: [], initial: [])).State;
        Assert.Equal((CyclePhase.Training, NextAction.Train), (s.Phase, ExperimentDecisions.Next(s)));
    }

    [Fact]
    public void The_first_round_cannot_be_closed_before_anything_is_labeled()
    {
        var j = new Journal(Plan(annotator: AnnotatorMode.Human, initial: []));
        Assert.Contains("label at least one", ExperimentDecisions.CloseAnnotation(j.State, 0).Refusal);
        j.Do(s => ExperimentDecisions.Label(s, 0, new(1, 2), Label('a')));
        Assert.True(j.Do(s => ExperimentDecisions.CloseAnnotation(s, 0)).AnnotationClosed);
    }

    [Fact]
    public void An_initial_set_that_came_with_its_labels_is_not_queried_again()
    {
        var s = new Journal(Plan(annotator: AnnotatorMode.Human, initial: []) with { InitialSetLabeled = true }).State;
        Assert.Equal((CyclePhase.Training, NextAction.Train), (s.Phase, ExperimentDecisions.Next(s)));
        Assert.Equal([1, 4], s.FullyLabeled.Order());
    }
}
