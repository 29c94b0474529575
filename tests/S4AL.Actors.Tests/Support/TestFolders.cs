namespace S4AL.Actors.Tests.Support;

/// <summary>
/// A temporary folder per test process, removed when the process exits (what a test writes is not
/// left behind), unless S4AL_KEEP_TEST_FOLDERS=1 keeps it to read the logs of a failed run.
/// </summary>
public static class TestFolders
{
    public const string KeepVariable = "S4AL_KEEP_TEST_FOLDERS";

    public static string ForProcess(string name)
    {
        var root = Path.Combine(Path.GetTempPath(), name, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        if (Environment.GetEnvironmentVariable(KeepVariable) == "1")
        {
            Console.Error.WriteLine($"{KeepVariable}=1: the test folders stay in {root}");
            return root;
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        };
        return root;
    }
}
