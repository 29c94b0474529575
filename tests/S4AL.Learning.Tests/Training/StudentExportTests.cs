using S4AL.Learning.Networks;
using S4AL.Learning.Training;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Training;

/// <summary>
/// A trained student must export to a PyTorch state dict that loads back, although the trainer
/// keeps every weight as a view into one flat buffer (a naive save writes the whole buffer).
/// </summary>
public class StudentExportTests
{
    [Fact]
    public void Student_with_flat_parameters_saves_and_loads_into_a_fresh_network()
    {
        using var trainer = new SslTrainer(() => new TrainerTestNet(3), 3, new SslSettings(), CPU, 5);
        var path = Path.Combine(Path.GetTempPath(), $"s4al-student-{Guid.NewGuid():N}.pt");
        try
        {
            PyTorchStateDict.Save(trainer.Student, path);
            using var fresh = new TrainerTestNet(3);
            PyTorchStateDict.Load(fresh, path);
            var expected = trainer.Student.state_dict();
            foreach (var (key, value) in fresh.state_dict())
                Assert.True(value.eq(expected[key]).all().item<bool>(), $"weight {key} differs after the round trip");
            // The file holds each weight once, not the whole flat buffer per weight.
            long weights = expected.Values.Sum(t => t.numel() * t.element_size());
            Assert.True(new FileInfo(path).Length < 2 * weights + 64 * 1024, $"file of {new FileInfo(path).Length} bytes for {weights} bytes of weights");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
