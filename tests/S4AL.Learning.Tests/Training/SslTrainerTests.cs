using S4AL.Learning.Data.Batches;
using S4AL.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Training;

public class SslTrainerTests
{
    const int Classes = 4;
    const int H = 16, W = 24;

    static SslTrainer Make(SslSettings settings, long seed = 1, int cycle = 0, bool channelsLast = false) =>
        new(() => new TrainerTestNet(Classes, channelsLast: channelsLast), Classes, settings, CPU, seed, cycle);

    /// <summary>Full-SSL settings: no cold start, replay from the first epoch of cycle 0, a small buffer.</summary>
    static readonly SslSettings Replaying = new() { ColdStartEpochs = 0, ReplayWarmupEpochs = 0, ReplayFromCycle = 0, ReplayCapacity = 8 };

    static float[] Weights(nn.Module module)
    {
        using var scope = NewDisposeScope();
        return module.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .SelectMany(kv => kv.Value.to(ScalarType.Float32).flatten().data<float>().ToArray()).ToArray();
    }

    /// <summary>Runs <paramref name="steps"/> steps with batches chosen by step number, drawing replay from the trainer's buffer.</summary>
    static List<SslStepResult> Run(SslTrainer trainer, TestPool pool, int firstStep, int steps, int epoch)
    {
        var results = new List<SslStepResult>();
        for (int s = firstStep; s < firstStep + steps; s++)
        {
            using var labeled = pool.Batch([s % 4, (s + 1) % 4], fullyLabeled: true);
            using var unlabeled = pool.Batch([4 + s % 8, 4 + (s + 3) % 8]);
            var replayIndices = trainer.DrawReplay(2, epoch);
            using var replay = replayIndices is null ? null : pool.Batch(replayIndices);
            results.Add(trainer.Step(labeled, unlabeled, replay, epoch));
        }
        return results;
    }

    static long[] ClassCounts(TestPool pool)
    {
        using var scope = NewDisposeScope();
        var labels = pool.Labels.narrow(0, 0, 4).flatten();
        return Enumerable.Range(0, Classes).Select(c => labels.eq(c).sum().item<long>()).ToArray();
    }

    [Fact]
    public void Teacher_starts_as_a_copy_of_the_student_and_is_not_trained_by_gradients()
    {
        using var trainer = Make(new SslSettings());
        Assert.Equal(Weights(trainer.Student), Weights(trainer.Teacher));
        Assert.All(trainer.Teacher.parameters(), p => Assert.False(p.requires_grad));
        Assert.NotSame(trainer.Student, trainer.Teacher);
    }

    [Fact]
    public void Steps_reduce_the_loss()
    {
        using var pool = new TestPool(12, H, W, Classes, seed: 1);
        using var trainer = Make(Replaying with { LearningRate = 0.05 });
        trainer.SetLabeledClassCounts(ClassCounts(pool));
        var results = Run(trainer, pool, 0, 40, epoch: 0);
        Assert.All(results, r => Assert.True(float.IsFinite(r.Total) && r.UsedUnlabeled));
        Assert.Contains(results, r => r.UsedReplay);
        double first = results.Take(5).Average(r => r.Supervised);
        double last = results.TakeLast(5).Average(r => r.Supervised);
        Assert.True(last < 0.7 * first, $"supervised loss went from {first:F3} to {last:F3}");
        Assert.All(results.Where(r => r.UsedReplay), r => Assert.InRange(r.Eta2, 0f, 1f));
        Assert.Equal(40, trainer.StepCount);
        Assert.Equal(40, trainer.EmaUpdates);
    }

    [Fact]
    public void Same_seed_gives_identical_runs_and_another_seed_differs()
    {
        using var pool = new TestPool(12, H, W, Classes, seed: 2);
        List<SslStepResult> RunWith(long seed, out float[] weights)
        {
            using var trainer = Make(Replaying, seed);
            trainer.SetLabeledClassCounts(ClassCounts(pool));
            var r = Run(trainer, pool, 0, 8, epoch: 0);
            weights = Weights(trainer.Teacher);
            return r;
        }
        var a = RunWith(5, out var wa);
        var b = RunWith(5, out var wb);
        var c = RunWith(6, out var wc);
        Assert.Equal(a, b);
        Assert.Equal(wa, wb);
        Assert.NotEqual(a.Select(r => r.Total), c.Select(r => r.Total));
        Assert.NotEqual(wa, wc);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void State_round_trip_continues_the_run_exactly(bool channelsLast)
    {
        using var pool = new TestPool(12, H, W, Classes, seed: 3);
        using var original = Make(Replaying, seed: 7, channelsLast: channelsLast);
        Assert.Equal(channelsLast, !original.Student.parameters().First(p => p.dim() == 4).is_contiguous());
        original.SetLabeledClassCounts(ClassCounts(pool));
        original.SetEpoch(3, 10);
        Run(original, pool, 0, 6, epoch: 3);
        var saved = original.ExportState();
        var continued = Run(original, pool, 6, 5, epoch: 3);

        // A trainer with another seed and no class counts: everything must come from the state.
        using var restored = Make(Replaying, seed: 99, channelsLast: channelsLast);
        restored.ImportState(saved);
        Assert.Equal(original.StepCount - 5, restored.StepCount);
        Assert.Equal(original.LearningRate, restored.LearningRate);
        var resumed = Run(restored, pool, 6, 5, epoch: 3);

        Assert.Equal(continued, resumed);
        Assert.Contains(resumed, r => r.UsedReplay);
        Assert.Equal(Weights(original.Student), Weights(restored.Student));
        Assert.Equal(Weights(original.Teacher), Weights(restored.Teacher));
        Assert.Equal(original.Replay.Items, restored.Replay.Items);
        Assert.Equal(original.EmaUpdates, restored.EmaUpdates);
        Assert.Equal(channelsLast, !restored.Teacher.parameters().First(p => p.dim() == 4).is_contiguous());
    }

    [Fact]
    public void State_from_a_differently_configured_trainer_is_rejected()
    {
        using var trainer = Make(new SslSettings());
        var parts = trainer.ExportState();
        using var other = Make(new SslSettings { ConfidenceThreshold = 0.9 });
        var ex = Assert.Throws<InvalidDataException>(() => other.ImportState(parts));
        Assert.Contains("ConfidenceThreshold", ex.Message);
        using var otherCycle = Make(new SslSettings(), cycle: 1);
        Assert.Throws<InvalidDataException>(() => otherCycle.ImportState(parts));
        var truncated = parts.ToDictionary(p => p.Key, p => p.Value);
        truncated[SslTrainer.StateParts.Student] = truncated[SslTrainer.StateParts.Student][..^10];
        Assert.Throws<InvalidDataException>(() => Make(new SslSettings()).ImportState(truncated));
        var missing = parts.Where(p => p.Key != SslTrainer.StateParts.Student).ToDictionary(p => p.Key, p => p.Value);
        Assert.Throws<InvalidDataException>(() => Make(new SslSettings()).ImportState(missing));
    }

    [Fact]
    public void Cold_start_uses_only_the_weighted_supervised_loss()
    {
        using var pool = new TestPool(8, H, W, Classes, seed: 4);
        var noAug = new SslSettings { AugmentInputBatches = false };
        using var cold = Make(noAug, seed: 3);
        using var warm = Make(noAug with { ColdStartEpochs = 0 }, seed: 3);
        using var labeled = pool.Batch([0, 1], fullyLabeled: true);
        using var unlabeled = pool.Batch([4, 5]);

        var c = cold.Step(labeled, null, null, epoch: 0);
        var w = warm.Step(labeled, unlabeled, null, epoch: 0);

        Assert.False(c.UsedUnlabeled);
        Assert.Equal(0f, c.Unsupervised);
        Assert.Equal(1.5f * w.Supervised, c.Supervised, 5);
        Assert.Equal(c.Supervised, c.Total);
        Assert.True(w.UsedUnlabeled);
        Assert.Equal(w.Supervised + w.Unsupervised, w.Total, 5);
        Assert.Equal(0, cold.Replay.Count);
    }

    [Fact]
    public void First_step_leaves_the_teacher_equal_to_the_updated_student()
    {
        using var pool = new TestPool(8, H, W, Classes, seed: 5);
        using var trainer = Make(new SslSettings { ColdStartEpochs = 0 });
        using var labeled = pool.Batch([0, 1], fullyLabeled: true);
        using var unlabeled = pool.Batch([4, 5]);
        var before = Weights(trainer.Student);
        trainer.Step(labeled, unlabeled, null, epoch: 0);
        using var scope = NewDisposeScope();
        var studentParams = trainer.Student.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, t) in trainer.Teacher.named_parameters())
            Assert.True(t.equal(studentParams[name]).all().item<bool>(), $"teacher {name} differs from the student after the first EMA update");
        Assert.NotEqual(before, Weights(trainer.Student));
    }

    [Fact]
    public void Replay_buffer_fills_only_from_the_replay_cycle_on()
    {
        using var pool = new TestPool(12, H, W, Classes, seed: 6);
        var settings = new SslSettings { ColdStartEpochs = 0, ReplayCapacity = 8 };
        using var first = Make(settings, cycle: 0);
        using var second = Make(settings, cycle: 1);
        Run(first, pool, 0, 3, epoch: 0);
        Run(second, pool, 0, 3, epoch: 0);
        Assert.Equal(0, first.Replay.Count);
        Assert.Equal(6, second.Replay.Count);
        Assert.Null(second.DrawReplay(2, epoch: 29));
        Assert.NotNull(second.DrawReplay(2, epoch: 30));
    }

    [Fact]
    public void Replay_without_class_counts_is_refused()
    {
        using var pool = new TestPool(8, H, W, Classes, seed: 7);
        using var trainer = Make(Replaying);
        using var labeled = pool.Batch([0, 1], fullyLabeled: true);
        using var unlabeled = pool.Batch([4, 5]);
        using var replay = pool.Batch([6, 7]);
        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Step(labeled, unlabeled, replay, epoch: 0));
        Assert.Contains(nameof(SslTrainer.SetLabeledClassCounts), ex.Message);
        Assert.Throws<ArgumentNullException>(() => trainer.Step(labeled, null, null, epoch: 0));
        Assert.Throws<ArgumentException>(() => trainer.SetLabeledClassCounts([1, 2, 3]));
    }

    [Fact]
    public void Set_epoch_applies_the_poly_schedule()
    {
        using var trainer = Make(new SslSettings());
        trainer.SetEpoch(50, 100);
        Assert.Equal(PolyLrSchedule.LearningRate(0.01, 50, 100), trainer.LearningRate, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.SetEpoch(101, 100));
    }

    [Fact]
    public void Floor_step_runs_the_network_passes_and_updates_the_teacher()
    {
        using var pool = new TestPool(8, H, W, Classes, seed: 9);
        using var trainer = Make(new SslSettings());
        using var labeled = pool.Batch([0, 1], fullyLabeled: true);
        using var unlabeled = pool.Batch([4, 5]);
        using var replay = pool.Batch([6, 7]);
        var teacherBefore = Weights(trainer.Teacher);
        var r = trainer.FloorStep(labeled, unlabeled, replay);
        Assert.True(float.IsFinite(r.Total) && r.Unsupervised > 0 && r.Unsupervised2 > 0);
        Assert.Equal(r.Supervised + r.Unsupervised + r.Unsupervised2, r.Total, 5);
        Assert.NotEqual(teacherBefore, Weights(trainer.Teacher));
        Assert.Equal(1, trainer.StepCount);
    }

    [Fact]
    public void Bad_batches_and_arguments_are_rejected_with_names()
    {
        using var trainer = Make(new SslSettings { ColdStartEpochs = 0 });
        using var scope = NewDisposeScope();
        using var wrongType = new SegmentationBatch(zeros(2, 3, H, W, ScalarType.Float64), zeros([2, H, W], ScalarType.Int64), zeros([2, H, W], ScalarType.Bool), [0, 1]);
        var ex = Assert.Throws<ArgumentException>(() => trainer.Step(wrongType, wrongType, null, 0));
        Assert.Contains("labeled images must be float32", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Step(wrongType, null, null, -1));
        Assert.Throws<ArgumentException>(() => new SslTrainer(() => new TrainerTestNet(3), Classes, new SslSettings(), CPU, 1));
        var shared = new TrainerTestNet(Classes);
        Assert.Throws<InvalidOperationException>(() => new SslTrainer(() => shared, Classes, new SslSettings(), CPU, 1));
    }
}
