namespace S4AL.Node.Runs;

/// <summary>
/// Reads a file's derived value again only when the file changed (length or write time):
/// `s4al status --watch` on a sweep's folder asks every second, and replaying the journal takes
/// an actor system and the whole event stream, CPU the sweep's trainers need on the same machine.
/// A missing file gives <paramref name="missing"/>. A file written in the last
/// <see cref="Settling"/> is read every time: where write times are coarse (a second or two), a
/// write right after a read may leave length and time as they were.
/// </summary>
public sealed class ReadWhenChanged<T>(string path, Func<T> read, T missing)
{
    public static readonly TimeSpan Settling = TimeSpan.FromSeconds(2);

    (long Length, DateTime Written)? _seen;
    T? _last;

    public T Get()
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            _seen = null;
            return missing;
        }
        var stamp = (file.Length, file.LastWriteTimeUtc);
        if (_seen != stamp || DateTime.UtcNow - stamp.LastWriteTimeUtc < Settling)
        {
            // Stamped before reading: a write during the read changes the stamp, so the next call reads again.
            _seen = stamp;
            _last = read();
        }
        return _last!;
    }
}
