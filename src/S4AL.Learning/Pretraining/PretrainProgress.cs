using System.Text.Json.Serialization;
using S4AL.Learning.Networks;

namespace S4AL.Learning.Pretraining;

/// <summary>A progress report of <see cref="FashionMnistPretrainer.Train"/>.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs in all.</param>
/// <param name="Iteration">Iterations of this epoch done so far (1-based count).</param>
/// <param name="IterationsPerEpoch">Iterations per epoch.</param>
/// <param name="Loss">Mean training cross-entropy over this epoch's iterations so far.</param>
/// <param name="Accuracy">Top-1 accuracy on this epoch's training batches so far (augmented, train mode).</param>
/// <param name="LearningRate">Learning rate of the last iteration.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="EpochCompleted">True for the report at the end of an epoch.</param>
/// <param name="TestAccuracy">Test top-1 accuracy, at the end of an epoch when <see cref="PretrainSettings.EvaluateEveryEpoch"/> is set.</param>
public sealed record PretrainProgress(
    int Epoch, int Epochs, int Iteration, int IterationsPerEpoch, double Loss, double Accuracy, double LearningRate,
    TimeSpan Elapsed, bool EpochCompleted, double? TestAccuracy);

/// <summary>What a pretraining run achieved; also what the JSON sidecar of the weights file records.</summary>
/// <param name="Network">The backbone (command-line name: mbv2 or resnet50).</param>
/// <param name="InputSize">Side of the square training input.</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="IterationsPerEpoch">Iterations per epoch.</param>
/// <param name="BatchSize">Images per iteration.</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="ColourAugmentation">Whether items were coloured.</param>
/// <param name="TrainLoss">Mean training loss of the last epoch.</param>
/// <param name="TrainAccuracy">Training accuracy of the last epoch (augmented batches).</param>
/// <param name="TestAccuracy">Top-1 accuracy on <paramref name="TestItems"/> items of the test split (t10k).</param>
/// <param name="TestItems">Number of test items evaluated (the first ones of t10k).</param>
/// <param name="Seed">The seed.</param>
/// <param name="Seconds">Wall-clock seconds of training and evaluation.</param>
public sealed record PretrainResult(
    string Network, int InputSize, int Epochs, int IterationsPerEpoch, int BatchSize, double LearningRate, bool ColourAugmentation,
    double TrainLoss, double TrainAccuracy, double TestAccuracy, int TestItems, int Seed, double Seconds)
{
    /// <summary>The key layout of the weights file: torchvision's, as <see cref="SegmentationNetwork.LoadBackboneStateDict"/> reads.</summary>
    [JsonPropertyOrder(-1)]
    public string Keys => "torchvision";

    /// <summary>The data the backbone was pretrained on.</summary>
    [JsonPropertyOrder(-1)]
    public string Dataset => "fashion-mnist";
}
