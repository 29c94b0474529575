using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Scenes;

namespace S4AL.Learning.Data.Images;

/// <summary>
/// A thread-safe least-recently-used cache of decoded images bounded by their byte size,
/// so a dataset larger than memory (Cityscapes) still loads each image once per pass
/// while small ones (CamVid) end up fully cached.
/// </summary>
public sealed class ImageCache
{
    /// <summary>2 GiB: all of CamVid at full size, a useful part of Cityscapes.</summary>
    public const long DefaultCapacityBytes = 2L << 30;
    const int EntryOverheadBytes = 64;

    readonly object _gate = new();
    readonly Dictionary<int, LinkedListNode<(int Key, SegmentationImage Image, long Bytes)>> _map = new();
    readonly LinkedList<(int Key, SegmentationImage Image, long Bytes)> _lru = new();
    long _bytes;

    public ImageCache(long capacityBytes = DefaultCapacityBytes)
    {
        if (capacityBytes < 0) throw new ArgumentOutOfRangeException(nameof(capacityBytes), $"cache capacity {capacityBytes} bytes must not be negative");
        CapacityBytes = capacityBytes;
    }

    public long CapacityBytes { get; }

    public long SizeBytes { get { lock (_gate) return _bytes; } }
    public int Count { get { lock (_gate) return _map.Count; } }

    public bool TryGet(int key, out SegmentationImage image)
    {
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                image = node.Value.Image;
                return true;
            }
        }
        image = null!;
        return false;
    }

    /// <summary>Adds an image, evicting the least recently used ones to stay within capacity. Returns the cached image (an earlier copy wins a race).</summary>
    public SegmentationImage Add(int key, SegmentationImage image)
    {
        long bytes = image.Rgb.Length + image.Label.Length + EntryOverheadBytes;
        if (bytes > CapacityBytes) return image;
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var existing)) return existing.Value.Image;
            while (_bytes + bytes > CapacityBytes && _lru.Last is { } oldest)
            {
                _lru.RemoveLast();
                _map.Remove(oldest.Value.Key);
                _bytes -= oldest.Value.Bytes;
            }
            _map[key] = _lru.AddFirst((key, image, bytes));
            _bytes += bytes;
            return image;
        }
    }
}
