using System.IO.Compression;

namespace S4AL.Annotation.Files;

/// <summary>
/// The files of an import given as a folder or as a .zip of one (CVAT hands out zips), by their
/// relative paths with '/' separators. Zip entries are checked before anything is read: an entry
/// whose path is absolute or climbs out with ".." (zip slip) fails the whole import, and an entry
/// is read only up to its declared size and <see cref="MaxFileBytes"/>, so a lying or huge entry
/// cannot fill memory.
/// </summary>
internal sealed class InputFiles : IDisposable
{
    /// <summary>No annotation file of one image comes near this; larger entries are refused unread.</summary>
    public const long MaxFileBytes = 256L << 20;

    readonly string _path;
    readonly ZipArchive? _zip;
    readonly Dictionary<string, string> _folderFiles = new(StringComparer.Ordinal);
    readonly Dictionary<string, ZipArchiveEntry> _entries = new(StringComparer.Ordinal);
    string _prefix = "";

    InputFiles(string path, ZipArchive? zip)
    {
        _path = path;
        _zip = zip;
    }

    /// <summary>The relative paths of all files (no folders), in ordinal order.</summary>
    public IReadOnlyList<string> Paths { get; private set; } = [];

    public static InputFiles Open(string path)
    {
        if (Directory.Exists(path)) return OpenFolder(path);
        if (!File.Exists(path)) throw new AnnotationImportException(path, "no such file or folder");
        if (!path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            throw new AnnotationImportException(path, "expected a folder or a .zip archive of one");
        return OpenZip(path);
    }

    /// <summary>
    /// When every file sits under one top folder (someone zipped the folder rather than its
    /// content), paths become relative to that folder.
    /// </summary>
    public void StripSingleTopFolder()
    {
        if (Paths.Count == 0 || Paths.Any(p => !p.Contains('/'))) return;
        var top = Paths[0][..(Paths[0].IndexOf('/') + 1)];
        if (Paths.All(p => p.StartsWith(top, StringComparison.Ordinal)))
        {
            _prefix = top;
            Paths = Paths.Select(p => p[top.Length..]).ToArray();
        }
    }

    /// <summary>How errors name a file: its path on disk, or "archive.zip!entry".</summary>
    public string Display(string relative) =>
        _zip is null ? Path.Combine(_path, _prefix + relative) : $"{_path}!{_prefix}{relative}";

    public byte[] Read(string relative)
    {
        var key = _prefix + relative;
        try
        {
            if (_zip is null)
            {
                var file = _folderFiles[key];
                var length = new FileInfo(file).Length;
                if (length > MaxFileBytes)
                    throw new AnnotationImportException(Display(relative), $"{length} bytes, more than any annotation file of one image needs ({MaxFileBytes})");
                return File.ReadAllBytes(file);
            }
            var entry = _entries[key];
            if (entry.Length > MaxFileBytes)
                throw new AnnotationImportException(Display(relative), $"{entry.Length} bytes, more than any annotation file of one image needs ({MaxFileBytes})");
            var bytes = new byte[entry.Length];
            using var stream = entry.Open();
            stream.ReadExactly(bytes);
            // The declared size is the archive's word only: more data means a forged entry.
            if (stream.ReadByte() >= 0)
                throw new AnnotationImportException(Display(relative), $"the entry holds more than the {entry.Length} bytes its header declares");
            return bytes;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new AnnotationImportException(Display(relative), $"cannot read: {e.Message}", e);
        }
    }

    public void Dispose() => _zip?.Dispose();

    static InputFiles OpenFolder(string folder)
    {
        var files = new InputFiles(folder, null);
        var root = Path.GetFullPath(folder);
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (!IsHidden(relative)) files._folderFiles[relative] = file;
        }
        files.Paths = files._folderFiles.Keys.Order(StringComparer.Ordinal).ToArray();
        return files;
    }

    static InputFiles OpenZip(string path)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new AnnotationImportException(path, $"not a readable zip archive: {e.Message}", e);
        }
        var files = new InputFiles(path, zip);
        try
        {
            foreach (var entry in zip.Entries)
            {
                var name = entry.FullName.Replace('\\', '/');
                if (name.EndsWith('/')) continue;
                CheckEntryPath(path, entry.FullName, name);
                name = string.Join('/', name.Split('/').Where(s => s is not ("" or ".")));
                if (IsHidden(name)) continue;
                if (!files._entries.TryAdd(name, entry))
                    throw new AnnotationImportException($"{path}!{entry.FullName}", "the archive holds this entry twice");
            }
        }
        catch
        {
            zip.Dispose();
            throw;
        }
        files.Paths = files._entries.Keys.Order(StringComparer.Ordinal).ToArray();
        return files;
    }

    /// <summary>Zip slip: an entry must stay inside the folder it would be extracted to.</summary>
    static void CheckEntryPath(string zip, string raw, string name)
    {
        var segments = name.Split('/');
        bool absolute = name.StartsWith('/') || (name.Length >= 2 && name[1] == ':') || raw.StartsWith(@"\\", StringComparison.Ordinal);
        if (absolute || segments.Any(s => s is "..") || name.Contains('\0'))
            throw new AnnotationImportException($"{zip}!{raw}", "the entry's path is absolute or leaves the archive's folder (\"..\"); refusing the archive");
    }

    // Folders that archivers and file managers add (__MACOSX, .DS_Store) are not annotation files.
    static bool IsHidden(string relative) =>
        relative.Split('/').Any(s => s.StartsWith('.') || s == "__MACOSX");
}
