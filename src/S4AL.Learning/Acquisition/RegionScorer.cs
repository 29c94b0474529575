using S4AL.Domain.Acquisition;
using S4AL.Domain;
using S4AL.Learning.Data.Batches;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Evaluation;
using S4AL.Learning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Acquisition;

/// <summary>How regions are scored and how many are kept. Immutable; one per experiment.</summary>
/// <param name="Metric">Acquisition metric (entropy by default).</param>
/// <param name="Budget">Regions kept: per image (default 4, the authors') or over the pool.</param>
/// <param name="BatchSize">Images per forward pass (the authors score with batch 4).</param>
/// <param name="Seed">Seed of the random metric; ignored by the others.</param>
public sealed record RegionScoringSettings(
    AcquisitionMetric Metric = AcquisitionMetric.Entropy,
    SelectionBudget? Budget = null,
    int BatchSize = 4,
    long Seed = 0)
{
    /// <summary>The effective budget (<see cref="SelectionBudget.Default"/> when none is given).</summary>
    public SelectionBudget Budget { get; init; } = Budget ?? SelectionBudget.Default;

    /// <summary>Throws naming the bad field; called by <see cref="RegionScorer"/>.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Metric)) throw new ArgumentOutOfRangeException(nameof(Metric), $"unknown acquisition metric value {(int)Metric}");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"scoring batch size must be positive, got {BatchSize}");
    }
}

/// <summary>
/// Scores the regions of a list of pool images (a shard, or the whole pool) and returns only
/// the shard's best candidates, as in the authors' acquisition step: the network in
/// evaluation mode on unaugmented images, softmax, per-pixel metric, annotated pixels set
/// to the metric's floor, adaptive average pooling to the region grid. Labeled regions are
/// also excluded explicitly, so they are never candidates whatever their pooled score.
/// Because selection is a total order on (score, image, region) and random scores are a
/// hash of (seed, cycle, image, region), merging shard results with
/// <see cref="RegionSelection.Merge(IEnumerable{IReadOnlyList{RegionCandidate}}, SelectionBudget)"/>
/// gives exactly the result of scoring the pool in one pass.
/// </summary>
public sealed class RegionScorer
{
    readonly SegmentationNetwork? _network;
    readonly Device _device;

    /// <param name="network">The scoring network; may be null only for the random metric, which needs no forward pass.</param>
    /// <param name="settings">Metric, budget, batch size and seed.</param>
    /// <param name="device">Where to run; by default the device of the network's first parameter (CPU without one).</param>
    public RegionScorer(SegmentationNetwork? network, RegionScoringSettings settings, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (network is null && settings.Metric != AcquisitionMetric.Random)
            throw new ArgumentNullException(nameof(network), $"the {settings.Metric.ToName()} metric needs a network");
        _network = network;
        Settings = settings;
        _device = device ?? network?.parameters().FirstOrDefault()?.device ?? CPU;
    }

    public RegionScoringSettings Settings { get; }

    /// <summary>
    /// Scores <paramref name="images"/> and returns the shard's selection under the settings'
    /// budget (per image: top-k of every image; global B: the shard's own top-B), best first.
    /// </summary>
    /// <param name="cycle">The active-learning cycle; only the random metric uses it.</param>
    /// <param name="images">Pool indices to score; distinct. Fully labeled images are skipped without a forward pass.</param>
    /// <param name="labeled">What is annotated so far; its grid defines the regions.</param>
    /// <param name="batches">Builds an unaugmented batch of the given pool indices, in that order (not called for the random metric).</param>
    /// <param name="progress">Called after each batch with the number of images of <paramref name="images"/> done so far.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public IReadOnlyList<RegionCandidate> ScoreShard(
        int cycle,
        IReadOnlyList<int> images,
        LabeledRegionSet labeled,
        Func<IReadOnlyList<int>, SegmentationBatch> batches,
        Action<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var selector = new RegionSelection.TopSelector(Settings.Budget);
        Scan(cycle, images, labeled, batches, progress, cancellationToken, selector.Add);
        return selector.Result();
    }

    /// <summary>
    /// Scores <paramref name="images"/> and returns every unlabeled region with its score, best
    /// first (for analysis and plots; a cluster should use <see cref="ScoreShard"/>).
    /// </summary>
    public IReadOnlyList<RegionCandidate> ScoreAllRegions(
        int cycle,
        IReadOnlyList<int> images,
        LabeledRegionSet labeled,
        Func<IReadOnlyList<int>, SegmentationBatch> batches,
        Action<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var all = new List<RegionCandidate>();
        Scan(cycle, images, labeled, batches, progress, cancellationToken, all.Add);
        all.Sort(RegionSelection.Order);
        return all;
    }

    void Scan(int cycle, IReadOnlyList<int> images, LabeledRegionSet labeled,
        Func<IReadOnlyList<int>, SegmentationBatch> batches, Action<int>? progress,
        CancellationToken cancellationToken, Action<RegionCandidate> sink)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labeled);
        ArgumentNullException.ThrowIfNull(batches);
        var distinct = new HashSet<int>();
        foreach (var i in images)
        {
            if ((uint)i >= (uint)labeled.ImageCount)
                throw new ArgumentOutOfRangeException(nameof(images), $"image {i} is outside the pool of {labeled.ImageCount}");
            if (!distinct.Add(i)) throw new ArgumentException($"image {i} is listed twice", nameof(images));
        }

        var grid = labeled.Grid;
        void Emit(int image, ReadOnlySpan<float> regionScores)
        {
            for (int r = 0; r < regionScores.Length; r++)
                if (!labeled.IsLabeled(image, r)) sink(new RegionCandidate(image, r, regionScores[r]));
        }

        // Images with nothing left to label have no candidates: skipping them saves their forward pass.
        bool HasCandidates(int image) => !labeled.IsFullyLabeled(image) && labeled.AcquiredRegions(image).Count < grid.RegionCount;

        if (Settings.Metric == AcquisitionMetric.Random)
        {
            var scores = new float[grid.RegionCount];
            for (int n = 0; n < images.Count; n++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int image = images[n];
                if (!HasCandidates(image)) continue;
                for (int r = 0; r < scores.Length; r++) scores[r] = RandomRegionScores.Score(Settings.Seed, cycle, image, r);
                Emit(image, scores);
            }
            progress?.Invoke(images.Count);
            return;
        }

        var network = _network!;
        using (new EvalModeScope(network))
        {
            using var inference = inference_mode();
            var chunk = new List<int>(Settings.BatchSize);
            for (int n = 0; n < images.Count; n++)
            {
                if (HasCandidates(images[n])) chunk.Add(images[n]);
                bool last = n == images.Count - 1;
                if (chunk.Count == Settings.BatchSize || (last && chunk.Count > 0))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var pooled = ScoreBatch(network, chunk, labeled, batches);
                    for (int b = 0; b < chunk.Count; b++)
                        Emit(chunk[b], pooled.AsSpan(b * grid.RegionCount, grid.RegionCount));
                    chunk.Clear();
                    progress?.Invoke(n + 1);
                }
                else if (last) progress?.Invoke(n + 1);
            }
        }
    }

    /// <summary>Region scores of one batch, row-major [chunk.Count, RegionCount].</summary>
    float[] ScoreBatch(SegmentationNetwork network, List<int> chunk, LabeledRegionSet labeled, Func<IReadOnlyList<int>, SegmentationBatch> batches)
    {
        var grid = labeled.Grid;
        using var scope = NewDisposeScope();
        using var batch = batches(chunk.ToArray())
            ?? throw new InvalidOperationException($"the batch builder returned null for images [{string.Join(",", chunk)}]");
        if (!batch.Indices.SequenceEqual(chunk))
            throw new InvalidOperationException(
                $"the batch builder returned images [{string.Join(",", batch.Indices)}] for a request of [{string.Join(",", chunk)}]");
        if (batch.Images.shape[2] != grid.Height || batch.Images.shape[3] != grid.Width)
            throw new InvalidOperationException(
                $"batch images are {batch.Images.shape[2]}x{batch.Images.shape[3]} but the region grid is for {grid.Height}x{grid.Width}; score unresized pool images");

        // Every forward pass has exactly BatchSize images (a short batch is padded with copies
        // of its last image): libtorch picks kernels by shape, and a different batch size can
        // change a score in its last bit, which could flip a near-tie. With one shape, an
        // image's scores do not depend on which shard or batch it was scored in.
        var images = batch.Images.to(_device);
        int padding = Settings.BatchSize - chunk.Count;
        if (padding > 0)
            images = cat([images, images[TensorIndex.Slice(-1)].expand(padding, -1, -1, -1)], 0);
        var logits = network.call(images);
        if (logits.ndim != 4 || logits.shape[0] != Settings.BatchSize)
            throw new InvalidOperationException($"the network returned logits of shape [{string.Join(",", logits.shape)}] for a batch of {Settings.BatchSize}");
        if (padding > 0) logits = logits[TensorIndex.Slice(0, chunk.Count)];
        // The authors upsample logits to the label size before softmax; networks are meant
        // to do it already, this keeps a network with a coarser output usable.
        if (logits.shape[2] != grid.Height || logits.shape[3] != grid.Width)
            logits = nn.functional.interpolate(logits, [grid.Height, grid.Width], mode: InterpolationMode.Bilinear, align_corners: true);

        var probabilities = nn.functional.softmax(logits.to(float32), 1);
        var pixelScores = PixelScores.Compute(probabilities, Settings.Metric);

        // The labeled set is the source of truth for what is annotated, not the batch's own
        // mask: a loader that has not applied the latest acquisitions must not cause a re-pick.
        if (chunk.Any(labeled.HasAnyLabel))
        {
            int pixels = grid.Height * grid.Width;
            var mask = new bool[chunk.Count * pixels];
            for (int b = 0; b < chunk.Count; b++)
                if (labeled.HasAnyLabel(chunk[b]))
                    labeled.PixelMask(chunk[b]).CopyTo(mask, b * pixels);
            var maskTensor = tensor(mask, [chunk.Count, grid.Height, grid.Width]).to(pixelScores.device);
            pixelScores = pixelScores.masked_fill(maskTensor, PixelScores.LabeledPixelValue(Settings.Metric));
        }

        var pooled = RegionPooling.Pool(pixelScores, grid).cpu().data<float>().ToArray();
        for (int b = 0; b < chunk.Count; b++)
            for (int r = 0; r < grid.RegionCount; r++)
                if (float.IsNaN(pooled[b * grid.RegionCount + r]))
                    throw new InvalidOperationException(
                        $"the network produced NaN scores for image {chunk[b]} (region {r}); the scoring checkpoint is likely diverged");
        return pooled;
    }
}
