namespace S4AL.BrowserTests.Support;

static class Folders
{
    /// <summary>This test process's folders (run folders), deleted when it exits.</summary>
    static readonly string Root = S4AL.Actors.Tests.Support.TestFolders.ForProcess("s4al-browser");

    public static string New(string name)
    {
        var dir = Path.Combine(Root, Guid.NewGuid().ToString("N")[..8], name);
        Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
        return dir;
    }
}
