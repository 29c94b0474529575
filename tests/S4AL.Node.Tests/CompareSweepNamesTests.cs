using S4AL.Node.Commands;
using S4AL.Node.Sweeps;

namespace S4AL.Node.Tests;

public class CompareSweepNamesTests
{
    [Fact]
    public void Compare_names_settings_as_the_sweep_did_for_its_folder_a_run_folder_in_it_or_a_folder_holding_it_even_moved()
    {
        var root = Directory.CreateTempSubdirectory("s4al-compare-names").FullName;
        try
        {
            // Written where the sweep ran, then moved: names follow the folder sweep.json is in now.
            var sweep = Path.Combine(root, "moved", "quality");
            Directory.CreateDirectory(sweep);
            new SweepFile("quality", ["--setting", "s4al="], [
                new SweepFileExperiment("s4al-s1", "quality.s4al-s1", "s4al", 1, new Dictionary<string, string>(), "/elsewhere/quality/s4al-s1", null, null),
                new SweepFileExperiment("metric=random-s1", "quality.metric=random-s1", null, 1, new Dictionary<string, string> { ["metric"] = "random" }, "/elsewhere/quality/metric=random-s1", null, null),
            ]).Write(sweep);
            var run = Directory.CreateDirectory(Path.Combine(sweep, "s4al-s1")).FullName;
            foreach (var given in new[] { sweep, run, Path.GetDirectoryName(sweep)! })
            {
                var names = CompareCommand.SweepSettings([given]);
                Assert.Equal("s4al", names(run));
                // An experiment of a --vary grid has no setting name: the comparison names it by its fields.
                Assert.Null(names(Path.Combine(sweep, "metric=random-s1")));
            }
            Assert.Null(CompareCommand.SweepSettings([root])(run));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
