using System.Globalization;
using System.Text.Json;

namespace S4AL.IntegrationTests;

/// <summary>
/// A run folder written by an earlier release resumes with this one: the committed fixture is the
/// run folder of commit 898d605 (the release before the budget moved into the journal's plan, and
/// before attempts and reporters), killed in cycle 1 after the checkpoint of epoch 2. Its journal
/// names its own folder, so the test puts it back where it was made.
/// </summary>
[Collection(ProcessTests.Name)]
public class JournalCompatibilityTests
{
    const string MadeIn = "/tmp/s4al-fixture-898d605/run";

    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Fact]
    public void A_run_folder_of_release_898d605_resumes_and_ends_like_its_uninterrupted_run()
    {
        if (Directory.Exists(MadeIn)) Directory.Delete(MadeIn, recursive: true);
        foreach (var file in Directory.GetFiles(Fixture("run-898d605"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(MadeIn, Path.GetRelativePath(Fixture("run-898d605"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        try
        {
            var run = S4alRun.Complete(null, "run", "--run-dir", MadeIn);
            Assert.True(run.ExitCode == 0, run.Output + run.Error);
            Assert.Matches(@"resuming in cycle 1 \(training\): .*from the checkpoint after epoch 2", run.Output);

            // The same regions and, bit for bit, the same metrics as that release's uninterrupted run.
            Assert.Equal(File.ReadAllText(Path.Combine(Fixture("run-898d605-expected"), "labeled.json")), File.ReadAllText(Path.Combine(MadeIn, "labeled.json")));
            using var cycles = JsonDocument.Parse(File.ReadAllText(Path.Combine(MadeIn, "cycles.json")));
            var expected = File.ReadAllLines(Path.Combine(Fixture("run-898d605-expected"), "miou.txt")).Select(l => double.Parse(l, CultureInfo.InvariantCulture));
            Assert.Equal(expected, cycles.RootElement.EnumerateArray().Select(c => c.GetProperty("miou").GetDouble()));
            // The attempt the kill cut off is recorded.
            Assert.Equal(2, cycles.RootElement[1].GetProperty("attempts").GetInt32());
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(MadeIn)!, recursive: true);
        }
    }
}
