using S4AL.Learning.Data.Batches;
using S4AL.Learning.Networks;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace S4AL.Learning.Training;

/// <summary>Losses of one training step, read from the device once at the end of the step.</summary>
/// <param name="Total">L = L_sup + L_unsup + L_unsup2 (L_sup weighted during the cold start).</param>
/// <param name="Supervised">L_sup, including the cold-start factor.</param>
/// <param name="Unsupervised">L_unsup of the ClassMix branch (eta already inside, as in the code); 0 during the cold start.</param>
/// <param name="Unsupervised2">L_unsup2 of the balanced ClassMix replay branch; 0 without replay.</param>
/// <param name="Eta1">Mean over the batch of eta (share of valid pixels with confidence &gt;= threshold) of the first branch.</param>
/// <param name="Eta2">The same for the replay branch.</param>
/// <param name="UsedUnlabeled">False during the cold start.</param>
/// <param name="UsedReplay">True if the replay branch ran.</param>
public readonly record struct SslStepResult(float Total, float Supervised, float Unsupervised, float Unsupervised2, float Eta1, float Eta2, bool UsedUnlabeled, bool UsedReplay);

/// <summary>
/// One training run (one active-learning cycle) of S4AL's mean-teacher semi-supervised
/// learning on one device: a student trained by SGD, a teacher that is its exponential moving
/// average, the augmentations, both ClassMix variants and the replay buffer. <see cref="Step"/>
/// is one iteration of the authors' train_al_semi_sup_region.py; everything runs on batched
/// tensors on <see cref="Device"/>, with a single device-to-host read per step.
/// Create a new trainer per cycle (the code re-initializes model, teacher and optimizer).
/// Determinism: the student's initial weights come from the global torch generator, seeded
/// with the trainer's seed just before the network factory runs; every random choice of the
/// step comes from the trainer's own generator; the replay buffer has its own seeded PRNG;
/// dropout layers, which can only draw from torch's global generators, get those reseeded at
/// the start of every step from (seed, step number). The global reseeding makes runs
/// reproducible when one trainer steps at a time in a process; concurrent trainers in one
/// process stay correct but interleave their dropout draws.
/// All of it is part of <see cref="ExportState"/>. The trainer owns both networks: their
/// parameters live in flat buffers (see <see cref="FlatParameters"/>), so do not move, re-layout
/// or dispose them yourself. Not thread-safe.
/// </summary>
public sealed partial class SslTrainer : IDisposable
{
    static readonly object GlobalSeedLock = new();

    readonly FlatParameters _studentParameters;
    readonly FlatParameters _teacherParameters;
    readonly FlatSgd _optimizer;
    readonly EmaTeacher _ema;
    readonly Generator _generator;
    readonly BatchAugmentations _augmentations;
    BalancedClassSampler? _sampler;
    long[]? _classCounts;
    // Base of the per-step seed of torch's global generators, which dropout layers draw from.
    ulong _networkRandomSeed;
    bool _disposed;

    /// <param name="networkFactory">Returns a new, untrained network per call; called twice (student, teacher).</param>
    /// <param name="numClasses">Classes C; labels are 0..C-1 or 255.</param>
    /// <param name="settings">Training settings; validated here.</param>
    /// <param name="device">Where the networks and every batch live.</param>
    /// <param name="seed">Seeds the student's initialization, the augmentation generator and the replay buffer.</param>
    /// <param name="cycle">0-based active-learning cycle; replay is used from <see cref="SslSettings.ReplayFromCycle"/> on.</param>
    public SslTrainer(Func<SegmentationNetwork> networkFactory, int numClasses, SslSettings settings, Device device, long seed, int cycle = 0)
    {
        ArgumentNullException.ThrowIfNull(networkFactory);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(device);
        Settings = settings.Validate();
        if (numClasses < 1 || numClasses >= SslSettings.IgnoreIndex)
            throw new ArgumentOutOfRangeException(nameof(numClasses), $"{numClasses} classes: must be 1..{SslSettings.IgnoreIndex - 1} (255 is the ignore label)");
        if (cycle < 0) throw new ArgumentOutOfRangeException(nameof(cycle), $"cycle {cycle} must be >= 0");
        NumClasses = numClasses;
        Device = device;
        Cycle = cycle;

        SegmentationNetwork student, teacher;
        lock (GlobalSeedLock)
        {
            using (torch.manual_seed(seed)) { }
            student = networkFactory() ?? throw new InvalidOperationException("the network factory returned null");
            teacher = networkFactory() ?? throw new InvalidOperationException("the network factory returned null");
        }
        try
        {
            if (ReferenceEquals(student, teacher)) throw new InvalidOperationException("the network factory must return a new network per call (student and teacher are two instances)");
            foreach (var net in new[] { student, teacher })
                if (net.NumClasses != numClasses)
                    throw new ArgumentException($"the network factory built a {net.Kind} network with {net.NumClasses} classes, the trainer was given {numClasses}", nameof(networkFactory));
            Student = student.to(device);
            Teacher = teacher.to(device);
            foreach (var p in Teacher.parameters()) p.requires_grad = false;
            // The code deep-copies the student: the teacher starts with its parameters and buffers.
            CopyModuleState(Student, Teacher);

            // One flat buffer per network (the teacher laid out exactly like the student) turns
            // the SGD step into 5 kernels and the EMA update into 1 for the whole network.
            var studentNamed = Student.named_parameters().ToArray();
            var teacherNamed = Teacher.named_parameters().ToArray();
            if (!studentNamed.Select(p => p.name).SequenceEqual(teacherNamed.Select(p => p.name)))
                throw new InvalidOperationException("the network factory built networks of different architectures (parameter names differ)");
            _studentParameters = new FlatParameters(studentNamed.Select(p => p.parameter), withGradients: true);
            _teacherParameters = new FlatParameters(teacherNamed.Select(p => p.parameter), withGradients: false,
                layoutOf: _studentParameters.Parameters.Select(p => (Tensor)p).ToArray());
            var emaPairs = new List<(Tensor Teacher, Tensor Student)> { (_teacherParameters.Values, _studentParameters.Values) };
            if (settings.EmaAveragesBuffers) emaPairs.AddRange(EmaTeacher.FloatingBufferPairs(Teacher, Student));
            _ema = new EmaTeacher(emaPairs, settings.EmaDecay);

            _optimizer = new FlatSgd(_studentParameters, settings.LearningRate, settings.Momentum, settings.WeightDecay, settings.Nesterov);
            LearningRate = settings.LearningRate;
            _generator = new Generator(unchecked((ulong)seed), device);
            _augmentations = new BatchAugmentations(settings, _generator, device);
            Replay = new ReplayBuffer(settings.ReplayCapacity, unchecked((ulong)seed) ^ 0x9E3779B97F4A7C15UL);
            _networkRandomSeed = DeterministicRandom.Hash(unchecked((ulong)seed) ^ 0x6A09E667F3BCC908UL);
        }
        catch
        {
            _studentParameters?.Dispose();
            _teacherParameters?.Dispose();
            _optimizer?.Dispose();
            _ema?.Dispose();
            _generator?.Dispose();
            _augmentations?.Dispose();
            student.Dispose();
            if (!ReferenceEquals(student, teacher)) teacher.Dispose();
            throw;
        }
    }

    public SslSettings Settings { get; }
    public int NumClasses { get; }
    public Device Device { get; }
    /// <summary>The active-learning cycle this trainer trains (0-based).</summary>
    public int Cycle { get; }
    /// <summary>The network trained by SGD.</summary>
    public SegmentationNetwork Student { get; }
    /// <summary>The exponential moving average of the student; labels the unlabeled images.</summary>
    public SegmentationNetwork Teacher { get; }
    /// <summary>Dataset indices of pool images seen in earlier steps (filled by <see cref="Step"/>).</summary>
    public ReplayBuffer Replay { get; }
    /// <summary>
    /// Whether <see cref="Step"/> adds the unlabeled batch to <see cref="Replay"/> (default). A caller
    /// that keeps the buffer elsewhere (the replay-buffer actor, see <see cref="ActiveLearning.IReplayExchange"/>)
    /// turns it off and feeds that buffer itself.
    /// </summary>
    public bool FillsReplayBuffer { get; init; } = true;
    /// <summary>Learning rate of the next SGD step.</summary>
    public double LearningRate { get; private set; }
    /// <summary>Steps run so far (<see cref="Step"/> and <see cref="FloorStep"/>).</summary>
    public long StepCount { get; private set; }
    /// <summary>EMA updates so far (t of the warm-up decay).</summary>
    public long EmaUpdates => _ema.Updates;
    /// <summary>The balanced ClassMix class plan, once <see cref="SetLabeledClassCounts"/> was called.</summary>
    public BalancedClassSampler? ClassSampler => _sampler;
    /// <summary>The batch augmentations, drawing from the trainer's generator.</summary>
    public BatchAugmentations Augmentations => _augmentations;

    /// <summary>Applies the polynomial schedule for 0-based <paramref name="epoch"/> of <paramref name="totalEpochs"/>.</summary>
    public void SetEpoch(int epoch, int totalEpochs)
    {
        ThrowIfDisposed();
        LearningRate = PolyLrSchedule.LearningRate(Settings, epoch, totalEpochs);
        _optimizer.LearningRate = LearningRate;
    }

    /// <summary>
    /// Labeled pixels per class (length C), from which balanced ClassMix derives its head and
    /// tail classes and sampling weights (see <see cref="BalancedClassSampler"/>).
    /// </summary>
    public void SetLabeledClassCounts(long[] counts)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Length != NumClasses) throw new ArgumentException($"{counts.Length} class counts for {NumClasses} classes", nameof(counts));
        var sampler = new BalancedClassSampler(counts, Settings, Device);
        _sampler?.Dispose();
        _sampler = sampler;
        _classCounts = (long[])counts.Clone();
    }

    /// <summary>
    /// Draws the replay indices for a step of <paramref name="epoch"/> when that step uses
    /// replay (cycle and epoch past the warm-up) and the buffer holds enough; null otherwise.
    /// </summary>
    public int[]? DrawReplay(int count, int epoch)
    {
        ThrowIfDisposed();
        if (!Settings.UsesReplay(Cycle, epoch) || Replay.Count < count) return null;
        return Replay.Sample(count);
    }

    /// <summary>
    /// One S4AL iteration: L_sup on the labeled batch; teacher pseudo-labels on the unlabeled
    /// batch (annotated pixels override them with the truth at p = 1); weak scale/crop,
    /// ClassMix and strong augmentation; L_unsup on the student's prediction. With a replay
    /// batch past the warm-up epoch: teacher pseudo-labels on it, balanced ClassMix of the
    /// current and replayed images, strong augmentation and L_unsup2. Then one SGD step and
    /// one EMA update; the unlabeled indices enter the replay buffer when the cycle uses it.
    /// During the cold start only 1.5 * L_sup is used and <paramref name="unlabeled"/> may be null.
    /// </summary>
    /// <param name="labeled">The supervised batch: fully labeled images, or any images whose unannotated pixels carry the ignore label 255.</param>
    /// <param name="unlabeled">Pool images with their revealed labels and annotated masks.</param>
    /// <param name="replay">Pool images drawn from the replay buffer (see <see cref="DrawReplay"/>), or null.</param>
    /// <param name="epoch">0-based epoch within the cycle (cold start and replay warm-up).</param>
    public SslStepResult Step(SegmentationBatch labeled, SegmentationBatch? unlabeled, SegmentationBatch? replay, int epoch)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(labeled);
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch {epoch} must be >= 0");
        bool coldStart = Settings.IsColdStart(epoch);
        if (!coldStart && unlabeled is null)
            throw new ArgumentNullException(nameof(unlabeled), $"epoch {epoch} is past the cold start ({Settings.ColdStartEpochs} epochs) and needs an unlabeled batch");
        bool useReplay = !coldStart && replay is not null && epoch >= Settings.ReplayWarmupEpochs;
        if (useReplay && _sampler is null)
            throw new InvalidOperationException("call SetLabeledClassCounts before a step with replay samples: balanced ClassMix draws classes by their labeled pixel counts");
        CheckBatch(labeled, nameof(labeled));
        if (unlabeled is not null) CheckBatch(unlabeled, nameof(unlabeled));
        if (useReplay)
        {
            CheckBatch(replay!, nameof(replay));
            if (replay!.Images.shape[2] != unlabeled!.Images.shape[2] || replay.Images.shape[3] != unlabeled.Images.shape[3])
                throw new ArgumentException($"replay images [{string.Join(",", replay.Images.shape)}] must have the unlabeled images' size [{string.Join(",", unlabeled.Images.shape)}]", nameof(replay));
        }

        using var scope = NewDisposeScope();
        SeedGlobalGenerators();
        _optimizer.ZeroGrad();
        Student.train();
        Teacher.train(Settings.TeacherInTrainMode);

        // Each loss is backpropagated as soon as it exists: the gradients add up exactly as
        // for one backward of the sum, but each forward's activations are freed before the
        // next forward runs, which keeps memory (and cache pressure) at one pass.
        var (labeledImages, labeledLabels) = AugmentLabeled(labeled);
        var sup = SslLosses.Supervised(Student.forward(labeledImages), labeledLabels);
        if (coldStart) sup = sup.mul(Settings.ColdStartSupervisedWeight);
        sup.backward();

        var zero = zeros(Array.Empty<long>(), ScalarType.Float32, Device);
        Tensor unsup = zero, unsup2 = zero, eta1 = zero, eta2 = zero;
        if (!coldStart)
        {
            var (poolImages, poolLabels, poolAnnotated) = AugmentPool(unlabeled!);
            PseudoLabeledBatch current, strong;
            using (no_grad())
            {
                var (labels, confidence) = SslLosses.PseudoLabels(Teacher.forward(poolImages), poolAnnotated, poolLabels);
                current = new PseudoLabeledBatch(poolImages, labels, confidence);
                var mixed = _augmentations.Weak(current);
                if (Settings.ClassMix) mixed = _augmentations.ClassMix(mixed);
                strong = _augmentations.Strong(mixed);
            }
            (unsup, var eta) = SslLosses.Unsupervised(Student.forward(strong.Images), strong.Labels, strong.Confidence, Settings.ConfidenceThreshold, Settings.ConfidenceWeighting);
            unsup.backward();
            eta1 = eta.mean();

            if (useReplay)
            {
                var (replayImages, replayLabels, replayAnnotated) = AugmentPool(replay!);
                PseudoLabeledBatch strong2;
                using (no_grad())
                {
                    var (labels2, confidence2) = SslLosses.PseudoLabels(Teacher.forward(replayImages), replayAnnotated, replayLabels);
                    // Like the code, the current images enter balanced ClassMix without the weak scale/crop.
                    var mixed2 = _augmentations.BalancedClassMix(current, new PseudoLabeledBatch(replayImages, labels2, confidence2), _sampler!);
                    strong2 = _augmentations.Strong(mixed2);
                }
                (unsup2, var eta2PerImage) = SslLosses.Unsupervised(Student.forward(strong2.Images), strong2.Labels, strong2.Confidence, Settings.ConfidenceThreshold, Settings.ConfidenceWeighting);
                unsup2.backward();
                eta2 = eta2PerImage.mean();
            }
            if (FillsReplayBuffer && Settings.FillsReplay(Cycle, epoch)) Replay.Add(unlabeled!.Indices);
        }

        _optimizer.Step();
        _ema.Update();
        StepCount++;
        var values = ReadLosses(sup, unsup, unsup2, eta1, eta2);
        return new SslStepResult(values[0], values[1], values[2], values[3], values[4], values[5], !coldStart, useReplay);
    }

    /// <summary>
    /// The work every implementation of the S4AL iteration must do, for benchmarks that measure
    /// the overhead of <see cref="Step"/>: two teacher forward passes (unlabeled, replay), three
    /// student forward + backward passes (labeled against its labels, unlabeled and replay
    /// against the teacher's argmax), one SGD step and one EMA update. No augmentation, no
    /// mixing, no replay buffer.
    /// </summary>
    public SslStepResult FloorStep(SegmentationBatch labeled, SegmentationBatch unlabeled, SegmentationBatch replay)
    {
        ThrowIfDisposed();
        CheckBatch(labeled, nameof(labeled));
        CheckBatch(unlabeled, nameof(unlabeled));
        CheckBatch(replay, nameof(replay));
        using var scope = NewDisposeScope();
        SeedGlobalGenerators();
        _optimizer.ZeroGrad();
        Student.train();
        Teacher.train(Settings.TeacherInTrainMode);
        Tensor target1, target2;
        using (no_grad())
        {
            target1 = Teacher.forward(unlabeled.Images).argmax(1);
            target2 = Teacher.forward(replay.Images).argmax(1);
        }
        var sup = SslLosses.Supervised(Student.forward(labeled.Images), labeled.Labels);
        sup.backward();
        var unsup = cross_entropy(Student.forward(unlabeled.Images), target1);
        unsup.backward();
        var unsup2 = cross_entropy(Student.forward(replay.Images), target2);
        unsup2.backward();
        _optimizer.Step();
        _ema.Update();
        StepCount++;
        var zero = zeros(Array.Empty<long>(), ScalarType.Float32, Device);
        var values = ReadLosses(sup, unsup, unsup2, zero, zero);
        return new SslStepResult(values[0], values[1], values[2], values[3], 0, 0, true, true);
    }

    /// <summary>Seeds torch's global generators (dropout's only source) from the run's seed and the step number; host-side only.</summary>
    void SeedGlobalGenerators()
    {
        long stepSeed = unchecked((long)DeterministicRandom.Hash(_networkRandomSeed + (ulong)StepCount) & long.MaxValue);
        if (Device.type == DeviceType.CUDA) torch.cuda.manual_seed_all(stepSeed);
        using (torch.manual_seed(stepSeed)) { }
    }

    /// <summary>[total, sup, unsup, unsup2, eta1, eta2] with one device-to-host copy.</summary>
    static float[] ReadLosses(Tensor sup, Tensor unsup, Tensor unsup2, Tensor eta1, Tensor eta2)
    {
        using (no_grad())
        {
            var parts = new[] { sup.detach(), unsup.detach(), unsup2.detach() };
            var total = parts[0].add(parts[1]).add_(parts[2]);
            using var host = stack([total, parts[0], parts[1], parts[2], eta1.detach(), eta2.detach()]).to(ScalarType.Float32).cpu();
            return host.data<float>().ToArray();
        }
    }

    (Tensor Images, Tensor Labels) AugmentLabeled(SegmentationBatch batch)
    {
        if (!Settings.AugmentInputBatches) return (batch.Images, batch.Labels);
        var (images, labels, _) = _augmentations.ScaleCropFlip(batch.Images, batch.Labels, null, Settings.ScaleMin, Settings.ScaleMax, Settings.FlipProbability);
        return (_augmentations.ColorJitter(images), labels);
    }

    (Tensor Images, Tensor Labels, Tensor Annotated) AugmentPool(SegmentationBatch batch)
    {
        if (!Settings.AugmentInputBatches) return (batch.Images, batch.Labels, batch.Annotated);
        var maps = batch.Annotated.to(ScalarType.Float32).unsqueeze(1);
        var (images, labels, outMaps) = _augmentations.ScaleCropFlip(batch.Images, batch.Labels, maps, Settings.ScaleMin, Settings.ScaleMax, Settings.FlipProbability);
        return (images, labels, outMaps!.squeeze(1).gt(0.5));
    }

    void CheckBatch(SegmentationBatch batch, string name)
    {
        ArgumentNullException.ThrowIfNull(batch, name);
        var device = batch.Images.device;
        if (device.type != Device.type || (Device.index >= 0 && device.index != Device.index) ||
            batch.Labels.device_type != device.type || batch.Annotated.device_type != device.type)
            throw new ArgumentException($"{name} batch lives on {device}, the trainer on {Device}; move it with SegmentationBatch.To", name);
        if (batch.Images.dtype != ScalarType.Float32) throw new ArgumentException($"{name} images must be float32, got {batch.Images.dtype}", name);
        if (batch.Labels.dtype != ScalarType.Int64) throw new ArgumentException($"{name} labels must be int64, got {batch.Labels.dtype}", name);
        if (batch.Annotated.dtype != ScalarType.Bool) throw new ArgumentException($"{name} annotated mask must be bool, got {batch.Annotated.dtype}", name);
    }

    void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _sampler?.Dispose();
        _augmentations.Dispose();
        _ema.Dispose();
        _optimizer.Dispose();
        _studentParameters.Dispose();
        _teacherParameters.Dispose();
        _generator.Dispose();
        Student.Dispose();
        Teacher.Dispose();
    }
}
