using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace S4AL.Learning.Training;

/// <summary>
/// Images with per-pixel pseudo-labels and confidences: images float32 [B,3,H,W]
/// (ImageNet-normalized), labels int64 [B,H,W] (255 = ignore), confidence float32 [B,H,W].
/// </summary>
public readonly record struct PseudoLabeledBatch(Tensor Images, Tensor Labels, Tensor Confidence)
{
    internal PseudoLabeledBatch MoveToOuterDisposeScope() =>
        new(Images.MoveToOuterDisposeScope(), Labels.MoveToOuterDisposeScope(), Confidence.MoveToOuterDisposeScope());
}

/// <summary>
/// The augmentations of the authors' batch_transform and generate_unsup_data(_biased), done on
/// whole batches on the tensors' device (no PIL round trip, no host copies, no sync): every
/// random choice is drawn per image from one seeded <see cref="Generator"/> and applied with
/// per-image parameters in a handful of batched kernels.
/// Differences to the PIL pipeline, all below the noise of training: no 8-bit quantization of
/// images and confidences, bilinear resampling without PIL's antialiasing (scales are
/// 0.5-2.0), and reflection padding that repeats the border pixel.
/// </summary>
public sealed class BatchAugmentations : IDisposable
{
    static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];
    // torchvision's rgb_to_grayscale weights, used by adjust_contrast for the mean grey level.
    static readonly float[] GrayWeights = [0.2989f, 0.587f, 0.114f];

    readonly SslSettings _settings;
    readonly Generator _generator;
    readonly Device _device;
    readonly Tensor _mean, _std, _gray, _true;

    /// <param name="settings">Probabilities and ranges of the augmentations.</param>
    /// <param name="generator">The source of every random choice; must live on <paramref name="device"/>.</param>
    /// <param name="device">Where the batches live.</param>
    public BatchAugmentations(SslSettings settings, Generator generator, Device device)
    {
        _settings = settings.Validate();
        _generator = generator;
        _device = device;
        _mean = tensor(ImageNetMean, device: device).view(1, 3, 1, 1).DetachFromDisposeScope();
        _std = tensor(ImageNetStd, device: device).view(1, 3, 1, 1).DetachFromDisposeScope();
        _gray = tensor(GrayWeights, device: device).DetachFromDisposeScope();
        _true = tensor(true, device: device).DetachFromDisposeScope();
    }

    /// <summary>
    /// Random scale, crop back to the input size, and optional horizontal flip, per image
    /// (the code's transform_image / transform_logits geometry): the image is resized by
    /// s ~ U(<paramref name="scaleMin"/>, <paramref name="scaleMax"/>) to floor(H s) x floor(W s);
    /// if smaller than H x W it is padded right and bottom (image by reflection, labels with 255,
    /// maps with 0); then an H x W window is cropped at a uniform integer offset and flipped
    /// with probability <paramref name="flipProbability"/>. Everything is one affine resampling
    /// per tensor: bilinear for the image, nearest for labels and maps.
    /// </summary>
    /// <param name="images">float32 [B,3,H,W].</param>
    /// <param name="labels">int64 [B,H,W], values 0..255.</param>
    /// <param name="maps">Optional float32 [B,K,H,W] resampled with the labels (confidences, annotated masks).</param>
    public (Tensor Images, Tensor Labels, Tensor? Maps) ScaleCropFlip(Tensor images, Tensor labels, Tensor? maps, double scaleMin, double scaleMax, double flipProbability)
    {
        CheckBatch(images, labels);
        if (maps is not null && (maps.ndim != 4 || maps.shape[0] != labels.shape[0] || maps.shape[2] != labels.shape[1] || maps.shape[3] != labels.shape[2]))
            throw new ArgumentException($"maps [{string.Join(",", maps.shape)}] must be [B,K,H,W] matching labels [{string.Join(",", labels.shape)}]");
        using var scope = NewDisposeScope();
        long b = images.shape[0], h = images.shape[2], w = images.shape[3];

        var r = rand([b, 4], ScalarType.Float32, _device, generator: _generator);
        var scale = r[.., 0].mul(scaleMax - scaleMin).add_(scaleMin);
        var hs = scale.mul(h).floor_().clamp_min_(1);
        var ws = scale.mul(w).floor_().clamp_min_(1);
        // RandomCrop.get_params: offset ~ randint(0, resized - crop + 1); 0 when the image was padded.
        var offY = r[.., 1].mul(hs.sub(h).clamp_min_(0).add_(1)).floor_();
        var offX = r[.., 2].mul(ws.sub(w).clamp_min_(0).add_(1)).floor_();
        var sign = r[.., 3].lt(flipProbability).to(ScalarType.Float32).mul_(-2).add_(1);
        // Output pixel x (normalized u in [-1,1]) reads the resized image at x + offX, i.e. the
        // input at normalized (W/ws) u + W/ws - 1 + 2 offX/ws; a flip negates u.
        var ax = ws.reciprocal().mul_(w);
        var ay = hs.reciprocal().mul_(h);
        var tx = ax.sub(1).add_(offX.mul(2).div_(ws));
        var ty = ay.sub(1).add_(offY.mul(2).div_(hs));
        var zero = zeros_like(ax);
        var theta = stack([ax.mul(sign), zero, tx, zero, ay, ty], 1).view(b, 2, 3);
        var grid = affine_grid(theta, [b, 3, h, w], align_corners: false);

        var outImages = grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Reflection, align_corners: false);
        // Labels travel as label + 1 so the zero padding of grid_sample becomes -1, which
        // (v + 255) mod 256 turns into the ignore value 255 while 0..255 map to themselves.
        var nearestIn = labels.unsqueeze(1).to(ScalarType.Float32).add_(1);
        if (maps is not null) nearestIn = cat([nearestIn, maps], 1);
        var nearestOut = grid_sample(nearestIn, grid, GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false);
        var outLabels = nearestOut[.., 0].to(ScalarType.Int64).add_(255).remainder_(256);
        Tensor? outMaps = maps is null ? null : nearestOut[.., 1..].contiguous().MoveToOuterDisposeScope();
        return (outImages.MoveToOuterDisposeScope(), outLabels.MoveToOuterDisposeScope(), outMaps);
    }

    /// <summary>
    /// torchvision ColorJitter(brightness, contrast) applied per image with probability
    /// <see cref="SslSettings.ColorJitterProbability"/>: brightness multiplies by b, contrast
    /// blends with the image's mean grey level by c, in random order, each clamped to [0, 1]
    /// in unnormalized RGB.
    /// </summary>
    public Tensor ColorJitter(Tensor images)
    {
        if (images.ndim != 4 || images.shape[1] != 3) throw new ArgumentException($"images must be [B,3,H,W], got [{string.Join(",", images.shape)}]");
        using var scope = NewDisposeScope();
        long b = images.shape[0];
        var r = rand([b, 4], ScalarType.Float32, _device, generator: _generator);
        var apply = r[.., 0].lt(_settings.ColorJitterProbability).view(b, 1, 1, 1);
        var brightness = r[.., 1].mul(_settings.BrightnessMax - _settings.BrightnessMin).add_(_settings.BrightnessMin);
        var contrast = r[.., 2].mul(_settings.ContrastMax - _settings.ContrastMin).add_(_settings.ContrastMin);
        var brightnessFirst = r[.., 3].lt(0.5).to(ScalarType.Float32);
        var contrastFirst = brightnessFirst.neg().add_(1);

        // Both operations are x -> clamp(a x + t, 0, 1) with t = 0 (brightness) or
        // t = (1 - c) * mean grey (contrast), so each stage is one affine map with per-image
        // coefficients chosen by the order flag.
        var x = images.mul(_std).add_(_mean);
        var a1 = brightness.mul(brightnessFirst).add_(contrast.mul(contrastFirst));
        var t1 = contrast.neg().add_(1).mul_(GrayMean(x)).mul_(contrastFirst);
        x = x.mul_(a1.view(b, 1, 1, 1)).add_(t1.view(b, 1, 1, 1)).clamp_(0, 1);
        var a2 = contrast.mul(brightnessFirst).add_(brightness.mul(contrastFirst));
        var t2 = contrast.neg().add_(1).mul_(GrayMean(x)).mul_(brightnessFirst);
        x = x.mul_(a2.view(b, 1, 1, 1)).add_(t2.view(b, 1, 1, 1)).clamp_(0, 1);
        x = x.sub_(_mean).div_(_std);
        return where(apply, x, images).MoveToOuterDisposeScope();
    }

    /// <summary>Horizontal flip per image with probability <see cref="SslSettings.FlipProbability"/>, the same for image, labels and confidences.</summary>
    public PseudoLabeledBatch Flip(PseudoLabeledBatch batch)
    {
        CheckBatch(batch);
        using var scope = NewDisposeScope();
        long b = batch.Images.shape[0];
        var flip = rand([b], ScalarType.Float32, _device, generator: _generator).lt(_settings.FlipProbability);
        var f3 = flip.view(b, 1, 1);
        var result = new PseudoLabeledBatch(
            where(flip.view(b, 1, 1, 1), batch.Images.flip(3), batch.Images),
            where(f3, batch.Labels.flip(2), batch.Labels),
            where(f3, batch.Confidence.flip(2), batch.Confidence));
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Weak augmentation of pseudo-labeled images: random scale and crop, no flip (batch_transform with apply_augmentation=False).</summary>
    public PseudoLabeledBatch Weak(PseudoLabeledBatch batch)
    {
        CheckBatch(batch);
        using var scope = NewDisposeScope();
        var (images, labels, maps) = ScaleCropFlip(batch.Images, batch.Labels, batch.Confidence.unsqueeze(1), _settings.ScaleMin, _settings.ScaleMax, 0);
        return new PseudoLabeledBatch(images, labels, maps!.squeeze(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Strong augmentation: colour jitter, then horizontal flip of image, labels and confidences (batch_transform with apply_augmentation=True and scale 1).</summary>
    public PseudoLabeledBatch Strong(PseudoLabeledBatch batch)
    {
        CheckBatch(batch);
        using var scope = NewDisposeScope();
        var jittered = ColorJitter(batch.Images);
        return Flip(batch with { Images = jittered }).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The ClassMix mask of each image: a uniformly random half (rounded down) of the values
    /// present in its label map (torch.unique then randperm[:n//2]; like the code, the ignore
    /// value counts as a value when present). bool [B,H,W].
    /// </summary>
    public Tensor ClassMixMask(Tensor labels)
    {
        if (labels.ndim != 3 || labels.dtype != ScalarType.Int64) throw new ArgumentException($"labels must be int64 [B,H,W], got {labels.dtype} [{string.Join(",", labels.shape)}]");
        using var scope = NewDisposeScope();
        long b = labels.shape[0];
        var flat = labels.reshape(b, -1);
        var present = zeros([b, BalancedClassSampler.LabelRange], ScalarType.Bool, _device).scatter_(1, flat, _true.expand(flat.shape));
        // Random keys for present values, 2 (never chosen) for absent ones; the k smallest
        // keys are a uniform k-subset, found with one sort instead of a per-image randperm.
        var keys = rand([b, BalancedClassSampler.LabelRange], ScalarType.Float32, _device, generator: _generator)
            .masked_fill_(present.logical_not(), 2.0);
        var half = present.sum(1, keepdim: true).floor_divide_(2);
        var kth = keys.sort(1).Values.gather(1, half);
        var selected = keys.lt(kth);
        return selected.gather(1, flat).view_as(labels).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ClassMix (generate_unsup_data, mode classmix): image i keeps the pixels of half of its
    /// classes and takes the rest from image (i + 1) mod B; labels and confidences are mixed
    /// with the same mask.
    /// </summary>
    public PseudoLabeledBatch ClassMix(PseudoLabeledBatch batch)
    {
        CheckBatch(batch);
        using var scope = NewDisposeScope();
        var mask = ClassMixMask(batch.Labels);
        return Mix(batch, Roll(batch), mask).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Balanced ClassMix (generate_unsup_data_biased): for every current image i, the pixels of
    /// replay image i mod R whose (pseudo-)label is among the classes drawn by
    /// <paramref name="sampler"/> are pasted onto image i. Returns as many samples as the
    /// current batch holds.
    /// </summary>
    public PseudoLabeledBatch BalancedClassMix(PseudoLabeledBatch current, PseudoLabeledBatch replay, BalancedClassSampler sampler)
    {
        CheckBatch(current);
        CheckBatch(replay);
        if (current.Images.shape[2] != replay.Images.shape[2] || current.Images.shape[3] != replay.Images.shape[3])
            throw new ArgumentException($"replay images [{string.Join(",", replay.Images.shape)}] must have the current images' size [{string.Join(",", current.Images.shape)}]");
        using var scope = NewDisposeScope();
        long b = current.Images.shape[0], r = replay.Images.shape[0];
        if (r != b)
        {
            var index = arange(b, ScalarType.Int64, _device).remainder_(r);
            replay = new PseudoLabeledBatch(replay.Images.index_select(0, index), replay.Labels.index_select(0, index), replay.Confidence.index_select(0, index));
        }
        var selection = sampler.SampleSelection((int)b, _generator);
        var mask = selection.gather(1, replay.Labels.reshape(b, -1)).view_as(replay.Labels);
        return Mix(replay, current, mask).MoveToOuterDisposeScope();
    }

    /// <summary>where(mask, a, b) for image, labels and confidences alike.</summary>
    static PseudoLabeledBatch Mix(PseudoLabeledBatch a, PseudoLabeledBatch b, Tensor mask) => new(
        where(mask.unsqueeze(1), a.Images, b.Images),
        where(mask, a.Labels, b.Labels),
        where(mask, a.Confidence, b.Confidence));

    static PseudoLabeledBatch Roll(PseudoLabeledBatch batch) =>
        new(batch.Images.roll(-1, 0), batch.Labels.roll(-1, 0), batch.Confidence.roll(-1, 0));

    Tensor GrayMean(Tensor x) => x.mean([2, 3]).mul_(_gray).sum(1);

    static void CheckBatch(PseudoLabeledBatch batch)
    {
        CheckBatch(batch.Images, batch.Labels);
        if (!batch.Confidence.shape.SequenceEqual(batch.Labels.shape))
            throw new ArgumentException($"confidence [{string.Join(",", batch.Confidence.shape)}] must have the labels' shape [{string.Join(",", batch.Labels.shape)}]");
    }

    static void CheckBatch(Tensor images, Tensor labels)
    {
        if (images.ndim != 4 || images.shape[1] != 3) throw new ArgumentException($"images must be [B,3,H,W], got [{string.Join(",", images.shape)}]");
        if (labels.ndim != 3 || labels.shape[0] != images.shape[0] || labels.shape[1] != images.shape[2] || labels.shape[2] != images.shape[3])
            throw new ArgumentException($"labels [{string.Join(",", labels.shape)}] must be [B,H,W] matching images [{string.Join(",", images.shape)}]");
        if (labels.dtype != ScalarType.Int64) throw new ArgumentException($"labels must be int64, got {labels.dtype}");
    }

    public void Dispose()
    {
        _mean.Dispose();
        _std.Dispose();
        _gray.Dispose();
        _true.Dispose();
    }
}
