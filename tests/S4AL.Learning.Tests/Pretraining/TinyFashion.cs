using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;
using S4AL.Learning.Pretraining;
using S4AL.Learning.Tests.Data;

namespace S4AL.Learning.Tests.Pretraining;

/// <summary>
/// Tiny Fashion-MNIST files in a temporary folder: 28x28 items of four classes whose shapes
/// differ (horizontal band, vertical band, diagonal, hollow square), shifted and dimmed a
/// little per item, so a classifier can learn them in a few steps.
/// </summary>
public sealed class TinyFashion : IDisposable
{
    public const int Classes = 4;
    readonly TempFolder _folder = new();

    public TinyFashion(int trainPerClass = 8, int testPerClass = 3)
    {
        Write(FashionMnistSplit.Train, trainPerClass);
        Write(FashionMnistSplit.Test, testPerClass);
        TrainCount = trainPerClass * Classes;
        TestCount = testPerClass * Classes;
    }

    public string Directory => _folder.Path;
    public int TrainCount { get; }
    public int TestCount { get; }

    /// <summary>Small, fast settings on this data (MobileNetV2 at 32x32, batch 4).</summary>
    public PretrainSettings Settings(int epochs = 1, int iterations = 2) => new()
    {
        ImageSize = 32,
        BatchSize = 4,
        Epochs = epochs,
        IterationsPerEpoch = iterations,
        DataDirectory = Directory,
        ReportEvery = 1,
    };

    void Write(FashionMnistSplit split, int perClass)
    {
        int n = perClass * Classes;
        var pixels = new byte[n * 28 * 28];
        var labels = new byte[n];
        for (int i = 0; i < n; i++)
        {
            int cls = i % Classes, shift = i / Classes % 3 - 1;
            labels[i] = (byte)cls;
            byte value = (byte)(255 - 20 * (i % 4));
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    int u = x - shift, v = y + shift;
                    bool on = cls switch
                    {
                        0 => v is >= 10 and < 18 && u is >= 3 and < 25,
                        1 => u is >= 10 and < 18 && v is >= 3 and < 25,
                        2 => Math.Abs(u - v) < 4 && u is >= 3 and < 25,
                        _ => u is >= 5 and < 23 && v is >= 5 and < 23 && !(u is >= 9 and < 19 && v is >= 9 and < 19),
                    };
                    if (on) pixels[i * 784 + y * 28 + x] = value;
                }
        }
        Fixtures.WriteIdxGz(FashionMnist.ImageFile(Directory, split), [n, 28, 28], pixels);
        Fixtures.WriteIdxGz(FashionMnist.LabelFile(Directory, split), [n], labels);
    }

    public void Dispose() => _folder.Dispose();
}
