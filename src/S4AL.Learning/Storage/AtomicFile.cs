using System.Runtime.InteropServices;
using System.Text;

namespace S4AL.Learning.Storage;

/// <summary>
/// The one way the project writes a file that must never be seen half-written or lost after a
/// crash (checkpoints, state dicts, settings, results, pictures): the bytes go to a hidden
/// temporary file in the same folder (so the rename stays on one file system), are flushed to
/// disk, replace the target by a rename, and the folder is fsynced so the rename itself is
/// durable. Readers see the old complete file or the new one. If writing throws, the target is
/// untouched and the temporary file removed.
/// </summary>
public static class AtomicFile
{
    /// <summary>The suffix of temporary files (hidden, unique per write).</summary>
    public const string TempSuffix = ".tmp";

    public static void Write(string path, Action<FileStream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no parent folder", nameof(path));
        Directory.CreateDirectory(folder);
        // Hidden and unique, so a concurrent writer or a folder listing never mistakes it for a result.
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                // Durability before visibility: the rename must never expose data still only in the page cache.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            FsyncFolder(folder);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void Write(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    public static void WriteText(string path, string text) => Write(path, Encoding.UTF8.GetBytes(text));

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>On POSIX a rename lives in the folder's metadata, which needs its own fsync. Best effort (no-op on Windows, where NTFS journals renames).</summary>
    static void FsyncFolder(string folder)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Posix.open(folder, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try { _ = Posix.fsync(fd); }
        finally { _ = Posix.close(fd); }
    }

    static class Posix
    {
        [DllImport("libc", SetLastError = true)]
        internal static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
        [DllImport("libc", SetLastError = true)]
        internal static extern int fsync(int fd);
        [DllImport("libc", SetLastError = true)]
        internal static extern int close(int fd);
    }
}
