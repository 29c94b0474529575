using S4AL.Learning.Storage;
using S4AL.Learning.Tests.Data;

namespace S4AL.Learning.Tests.Storage;

public class AtomicFileTests
{
    [Fact]
    public void Target_appears_only_when_the_write_is_complete()
    {
        using var folder = new TempFolder();
        var target = folder["out.png"];
        AtomicFile.Write(target, stream =>
        {
            stream.Write(new byte[100]);
            Assert.False(File.Exists(target));
            stream.Write(new byte[50]);
        });
        Assert.Equal(150, new FileInfo(target).Length);
        Assert.Equal(["out.png"], Directory.GetFileSystemEntries(folder.Path).Select(f => System.IO.Path.GetFileName(f)!).ToArray());
    }

    [Fact]
    public void Interrupted_write_leaves_no_file_behind()
    {
        using var folder = new TempFolder();
        var target = folder["out.png"];
        var error = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, stream =>
        {
            stream.Write(new byte[100]);
            throw new InvalidOperationException("disk on fire");
        }));
        Assert.Equal("disk on fire", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path).Select(f => System.IO.Path.GetFileName(f)!).ToArray());
    }

    [Fact]
    public void Interrupted_overwrite_keeps_the_previous_file()
    {
        using var folder = new TempFolder();
        var target = folder["out.png"];
        File.WriteAllBytes(target, [1, 2, 3]);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, stream =>
        {
            stream.Write(new byte[100]);
            throw new InvalidOperationException("interrupted");
        }));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(target));
        Assert.Equal(["out.png"], Directory.GetFileSystemEntries(folder.Path).Select(f => System.IO.Path.GetFileName(f)!).ToArray());
    }

    [Fact]
    public void Missing_folders_are_created()
    {
        using var folder = new TempFolder();
        var target = Path.Combine(folder.Path, "cycle-3", "plots", "curve.png");
        AtomicFile.Write(target, [7]);
        Assert.Equal(new byte[] { 7 }, File.ReadAllBytes(target));
    }
}
