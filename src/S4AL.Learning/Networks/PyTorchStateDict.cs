using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

using S4AL.Learning.Storage;

namespace S4AL.Learning.Networks;

/// <summary>
/// Reads and writes state dicts in PyTorch's formats (<c>torch.save(model.state_dict(), f)</c>; read:
/// the zip format of PyTorch 1.6+ and the legacy format before it, in which torchvision's original
/// ImageNet files are; written: the zip format), so weights move between this engine and the
/// authors' PyTorch code.
/// Unlike PyBridge's own <c>load_py</c>, every key and shape is checked before anything is
/// copied: a file that does not fit leaves the module untouched and the error names the file
/// and the key.
/// </summary>
public static class PyTorchStateDict
{
    /// <summary>
    /// Writes the module's parameters and persistent buffers to <paramref name="path"/> so that
    /// <c>model.load_state_dict(torch.load(path))</c> accepts it in PyTorch. The file is written
    /// to a temporary name first and renamed, so a crash never leaves a truncated file behind.
    /// </summary>
    public static void Save(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var scope = NewDisposeScope();
        var source = module.state_dict();
        // The pickler writes each tensor's whole storage with its offset: a channels-last weight
        // would need its permuted strides, and a weight that is a view into a shared buffer (the
        // trainer's flat parameters) would drag the whole buffer along. A fresh row-major copy of
        // each tensor keeps the file identical to what PyTorch writes.
        var dict = new Dictionary<string, Tensor>(source.Count);
        foreach (var (key, tensor) in source)
            dict[key] = tensor.detach().contiguous().clone();

        AtomicFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, dict, leaveOpen: true));
    }

    /// <summary>
    /// Loads a whole-network state dict into <paramref name="module"/>: the keys must be exactly
    /// the module's keys and every shape must match. <paramref name="entry"/> selects a nested
    /// dict, as in the authors' checkpoints (<c>"model_state_dict"</c>, <c>"teacher_state_dict"</c>);
    /// null means the file itself is the state dict.
    /// </summary>
    public static void Load(nn.Module module, string path, string? entry = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        LoadMapped(module, path, entry, key => KeyMapping.To(key), _ => true);
    }

    /// <summary>The keys and shapes stored in a state-dict file, in no particular order.</summary>
    public static IReadOnlyDictionary<string, long[]> ReadShapes(string path, string? entry = null)
    {
        using var scope = NewDisposeScope();
        return ReadTensors(path, entry).ToDictionary(kv => kv.Key, kv => kv.Value.shape);
    }

    /// <summary>
    /// Loads the file's tensors into the module through <paramref name="map"/>, which turns each key
    /// of the file into a key of the module or marks it as one to skip. Every module key for which
    /// <paramref name="isTarget"/> holds must be supplied by the file, except BatchNorm's
    /// <c>num_batches_tracked</c>: checkpoints saved before PyTorch 0.4.1 (torchvision's original
    /// ResNet weights among them) lack it and PyTorch itself then leaves the counter alone.
    /// </summary>
    internal static void LoadMapped(
        nn.Module module, string path, string? entry, Func<string, KeyMapping> map, Func<string, bool> isTarget)
    {
        using var scope = NewDisposeScope();
        var source = ReadTensors(path, entry);
        var target = module.state_dict();

        var pairs = new List<(string SourceKey, Tensor Source, Tensor Target)>();
        var supplied = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in source.Keys.Order(StringComparer.Ordinal)) {
            var mapping = map(key);
            if (mapping.Skip) continue;
            if (mapping.TargetKey is null || !target.TryGetValue(mapping.TargetKey, out var destination) || !isTarget(mapping.TargetKey))
                throw new StateDictException(path, key,
                    $"Unexpected key: the network {module.GetName()} has no parameter or buffer it maps to");
            if (!supplied.Add(mapping.TargetKey))
                throw new StateDictException(path, key, $"Two keys of the file map to '{mapping.TargetKey}'");
            var tensor = source[key];
            if (!tensor.shape.SequenceEqual(destination.shape))
                throw new StateDictException(path, key,
                    $"Shape mismatch: the file has [{string.Join(", ", tensor.shape)}], '{mapping.TargetKey}' needs [{string.Join(", ", destination.shape)}]");
            if (is_floating_point(tensor) != is_floating_point(destination))
                throw new StateDictException(path, key,
                    $"Type mismatch: the file has {tensor.dtype}, '{mapping.TargetKey}' is {destination.dtype}");
            pairs.Add((key, tensor, destination));
        }

        var missing = target.Keys
            .Where(k => isTarget(k) && !supplied.Contains(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
        if (missing is not null)
            throw new StateDictException(path, missing, "Missing key: the file supplies nothing for this parameter or buffer");

        // Checked everything first, so a bad file never leaves the network half-loaded.
        using var noGrad = no_grad();
        foreach (var (_, tensor, destination) in pairs)
            destination.copy_(tensor);
    }

    /// <summary>
    /// Unpickles the file (tensors are created in the caller's dispose scope) and returns the
    /// state dict at <paramref name="entry"/>, or the root when entry is null.
    /// </summary>
    private static Dictionary<string, Tensor> ReadTensors(string path, string? entry)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"State-dict file '{path}' does not exist.", path);

        Hashtable root;
        try {
            using var stream = File.OpenRead(path);
            Span<byte> start = stackalloc byte[16];
            var read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
            stream.Position = 0;
            if (LegacyTorchFormat.IsLegacy(start[..read])) {
                using var zip = LegacyTorchFormat.ConvertToZip(File.ReadAllBytes(path), path);
                root = PyTorchUnpickler.UnpickleStateDict(zip);
            } else if (read >= 4 && start[0] == 0x50 && start[1] == 0x4b && start[2] == 0x03 && start[3] == 0x04) {
                root = PyTorchUnpickler.UnpickleStateDict(stream);
            } else {
                throw new StateDictException(path, null,
                    "Not a torch.save file: neither PyTorch's zip format nor its legacy (pre-1.6) format");
            }
        } catch (StateDictException) {
            throw;
        } catch (Exception e) when (e is not OutOfMemoryException) {
            throw new StateDictException(path, null, $"Cannot read as a PyTorch state dict: {e.Message}", e);
        }

        var dict = root;
        if (entry is null) {
            var nestedNames = root.Cast<DictionaryEntry>().Where(e => e.Value is Hashtable).Select(e => $"'{e.Key}'").Order(StringComparer.Ordinal).ToList();
            if (nestedNames.Count > 0)
                throw new StateDictException(path, null,
                    $"The file is a checkpoint holding nested dicts ({string.Join(", ", nestedNames)}), not a state dict; pass the entry to load");
        } else {
            if (!root.ContainsKey(entry) || root[entry] is not Hashtable nested) {
                var entries = string.Join(", ", root.Keys.Cast<object>().Select(k => $"'{k}'").Order(StringComparer.Ordinal));
                throw new StateDictException(path, entry, $"No state dict under this entry; the file's entries are {entries}");
            }
            dict = nested;
        }

        var result = new Dictionary<string, Tensor>(dict.Count, StringComparer.Ordinal);
        foreach (DictionaryEntry item in dict) {
            var key = item.Key as string ?? throw new StateDictException(path, item.Key?.ToString(), "Keys of a state dict must be strings");
            if (item.Value is not Tensor tensor)
                throw new StateDictException(path, key, $"Value is not a tensor ({item.Value?.GetType().Name ?? "None"})");
            result[key] = tensor;
        }
        if (result.Count == 0)
            throw new StateDictException(path, entry, "The state dict holds no tensors");
        return result;
    }
}

/// <summary>
/// Where one key of a state-dict file goes: to <see cref="TargetKey"/> of the module, skipped on
/// purpose (<see cref="Skip"/>), or nowhere known (neither; loading then fails on that key).
/// </summary>
public readonly record struct KeyMapping(string? TargetKey, bool Skip)
{
    /// <summary>The key goes to <paramref name="key"/> of the module.</summary>
    public static KeyMapping To(string key) => new(key, false);

    /// <summary>The key is deliberately not loaded (e.g. an ImageNet classifier).</summary>
    public static KeyMapping Skipped => new(null, true);

    /// <summary>The key fits nothing; loading fails naming it.</summary>
    public static KeyMapping Unknown => new(null, false);
}
