using S4AL.Node.Runs;

namespace S4AL.Node.Tests;

public class ReadWhenChangedTests
{
    [Fact]
    public void Reads_again_only_when_the_file_changed_length_or_write_time_or_was_written_just_now()
    {
        var dir = Directory.CreateTempSubdirectory("s4al-read-when-changed").FullName;
        try
        {
            var path = Path.Combine(dir, "journal.db");
            int reads = 0;
            var cache = new ReadWhenChanged<string>(path, () => { reads++; return File.ReadAllText(path); }, "none");
            Assert.Equal("none", cache.Get());
            Assert.Equal(0, reads);

            var old = DateTime.UtcNow.AddHours(-1);
            File.WriteAllText(path, "a");
            File.SetLastWriteTimeUtc(path, old);
            Assert.Equal("a", cache.Get());
            Assert.Equal("a", cache.Get());
            Assert.Equal(1, reads);

            // Longer, same write time.
            File.WriteAllText(path, "ab");
            File.SetLastWriteTimeUtc(path, old);
            Assert.Equal("ab", cache.Get());
            Assert.Equal(2, reads);

            // Same length, later write time.
            File.WriteAllText(path, "cd");
            File.SetLastWriteTimeUtc(path, old.AddMinutes(1));
            Assert.Equal("cd", cache.Get());
            Assert.Equal(3, reads);

            // Written just now: read every time, whatever the stamp says.
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            cache.Get();
            cache.Get();
            Assert.Equal(5, reads);

            File.Delete(path);
            Assert.Equal("none", cache.Get());
            Assert.Equal(5, reads);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
