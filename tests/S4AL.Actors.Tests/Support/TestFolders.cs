namespace S4AL.Actors.Tests.Support;

/// <summary>A temporary folder per test process, removed when the process exits (what a test writes is not left behind).</summary>
public static class TestFolders
{
    public static string ForProcess(string name)
    {
        var root = Path.Combine(Path.GetTempPath(), name, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        };
        return root;
    }
}
