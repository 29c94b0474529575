using S4AL.Learning.Networks;
using S4AL.Learning.Tests.Training;
using S4AL.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Runtime;

/// <summary>
/// TorchSharp (0.107) hands the native handle of a Scalar or Tensor to libtorch and then no
/// longer references the object, so a garbage collection on another thread can finalize it
/// and free the native object while libtorch still reads it: "Unknown scalar type", "argument
/// alpha must not be a floating point number", or, worst, a wrong value. The build weaves
/// GC.KeepAlive into TorchSharp (build/TorchSharpKeepAlive). These tests make collections
/// and finalizers run all the time on another thread while the real networks train; without
/// the woven TorchSharp they fail within seconds, and with it every step must be exactly the
/// step of a run without the storm.
/// </summary>
public class FinalizerStormTests
{
    const int Classes = 5;

    /// <summary>Forces full collections and runs finalizers in a loop until disposed.</summary>
    sealed class FinalizerStorm : IDisposable
    {
        readonly Thread _thread;
        volatile bool _stop;
        long _collections;

        /// <summary>Waits until the storm has finished another collection, so every step overlaps collections whatever the machine's speed.</summary>
        public void AwaitNextCollection()
        {
            long seen = Interlocked.Read(ref _collections);
            Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref _collections) > seen, TimeSpan.FromMinutes(2)), "the storm thread made no collection in 2 minutes");
        }

        public FinalizerStorm()
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    // Garbage with finalizers of its own keeps the finalizer thread busy too.
                    for (int i = 0; i < 64; i++) _ = 1.0.ToScalar();
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true);
                    GC.WaitForPendingFinalizers();
                    Interlocked.Increment(ref _collections);
                }
            }) { IsBackground = true, Name = "finalizer storm" };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop = true;
            Assert.True(_thread.Join(TimeSpan.FromMinutes(2)), "the storm thread did not stop");
        }
    }

    static List<SslStepResult> Train(NetworkKind kind, int steps, bool storm)
    {
        using var pool = new TestPool(8, 32, 32, Classes, seed: 4);
        var settings = new SslSettings { ColdStartEpochs = 0, ReplayWarmupEpochs = 0, ReplayFromCycle = 0, ReplayCapacity = 4 };
        using var trainer = new SslTrainer(() => NetworkFactory.Create(kind, Classes), Classes, settings, CPU, seed: 3);
        trainer.SetLabeledClassCounts([400, 300, 200, 100, 50]);
        using var collector = storm ? new FinalizerStorm() : null;
        var results = new List<SslStepResult>();
        for (int s = 0; s < steps; s++)
        {
            collector?.AwaitNextCollection();
            using var labeled = pool.Batch([s % 4, (s + 1) % 4], fullyLabeled: true);
            using var unlabeled = pool.Batch([4 + s % 4, 4 + (s + 1) % 4]);
            var replayIndices = trainer.DrawReplay(2, epoch: 0);
            using var replay = replayIndices is null ? null : pool.Batch(replayIndices);
            results.Add(trainer.Step(labeled, unlabeled, replay, epoch: 0));
        }
        return results;
    }

    [Theory]
    [InlineData(NetworkKind.Tiny, 60)]
    [InlineData(NetworkKind.MobileNetV2, 12)]
    public void Training_steps_under_a_finalizer_storm_equal_the_steps_without_it(NetworkKind kind, int steps)
    {
        var calm = Train(kind, steps, storm: false);
        var stormy = Train(kind, steps, storm: true);
        Assert.Equal(calm, stormy);
    }

    [Fact]
    public void Scalar_arguments_of_tensor_operations_survive_a_finalizer_storm()
    {
        // BatchNorm's num_batches_tracked.add_(1) in TorchSharp's own forward, and the
        // implicit scalars of a user's expression: all are temporaries nobody references.
        using var norm = nn.BatchNorm2d(3);
        norm.train();
        using var x = ones(2, 3, 2, 2);
        using var counter = zeros(1, ScalarType.Float64);
        const int rounds = 20_000;
        using (new FinalizerStorm())
        {
            for (int i = 0; i < rounds; i++)
            {
                using var scope = NewDisposeScope();
                norm.forward(x);
                counter.add_(1.0).mul_(1.0).sub_(0.5);
            }
        }
        Assert.Equal(rounds, norm.num_batches_tracked!.item<long>());
        // Each round adds exactly 0.5 (every value is exact in float64).
        Assert.Equal(rounds * 0.5, counter.item<double>());
    }
}
