using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace S4AL.Learning.Networks;

/// <summary>
/// Reads the format <c>torch.save</c> wrote before PyTorch 1.6 (still the format of torchvision's
/// original ImageNet files, e.g. <c>mobilenet_v2-b0353104.pth</c> and <c>resnet50-19c8e357.pth</c>,
/// which the authors load) by rewriting it into the zip layout PyBridge reads. The legacy file is
/// five pickles back to back (magic number, protocol version, system info, the object, the sorted
/// storage keys) followed by each storage as an int64 element count and its raw little-endian bytes.
/// The object pickle is the same as the zip format's <c>data.pkl</c> (its persistent ids carry one
/// extra, ignored, element), so only the storages have to be cut out, which needs each storage's
/// element type: a small stack machine walks the object pickle and collects its persistent ids.
/// </summary>
internal static class LegacyTorchFormat
{
    private static readonly byte[] Magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    /// <summary>True when the bytes start like a legacy torch.save file (the pickled magic number).</summary>
    public static bool IsLegacy(ReadOnlySpan<byte> start) => start.Length >= Magic.Length && start[..Magic.Length].SequenceEqual(Magic);

    /// <summary>The same content in PyTorch's zip layout, in memory.</summary>
    public static MemoryStream ConvertToZip(byte[] file, string path)
    {
        var position = 0;
        for (var i = 0; i < 3; i++) Walk(file, ref position, path); // magic, protocol version, sys_info
        var objectStart = position;
        var storages = Walk(file, ref position, path).Storages;
        var objectPickle = file.AsSpan(objectStart, position - objectStart);
        var keys = Walk(file, ref position, path).Strings;

        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true)) {
            Write(archive, "archive/version", "3\n"u8);
            Write(archive, "archive/data.pkl", objectPickle);
            foreach (var key in keys) {
                if (!storages.TryGetValue(key, out var type))
                    throw new StateDictException(path, key, "Legacy torch.save file lists a storage no tensor uses");
                if (position + 8 > file.Length)
                    throw new StateDictException(path, key, "Legacy torch.save file ends before this storage");
                var count = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(position, 8));
                var bytes = count * ElementSize(type, path, key);
                position += 8;
                if (count < 0 || bytes > file.Length - position)
                    throw new StateDictException(path, key, "Legacy torch.save file ends before this storage");
                Write(archive, $"archive/data/{key}", file.AsSpan(position, (int)bytes));
                position += (int)bytes;
            }
        }
        if (position != file.Length)
            throw new StateDictException(path, null, $"Legacy torch.save file has {file.Length - position} bytes after its last storage");
        zip.Position = 0;
        return zip;
    }

    private static void Write(ZipArchive archive, string name, ReadOnlySpan<byte> content)
    {
        using var entry = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
        entry.Write(content);
    }

    private static int ElementSize(string storageType, string path, string key) => storageType switch {
        "DoubleStorage" or "LongStorage" or "ComplexFloatStorage" => 8,
        "FloatStorage" or "IntStorage" => 4,
        "HalfStorage" or "ShortStorage" or "BFloat16Storage" => 2,
        "CharStorage" or "ByteStorage" or "BoolStorage" => 1,
        "ComplexDoubleStorage" => 16,
        _ => throw new StateDictException(path, key, $"Unsupported storage type {storageType}"),
    };

    private sealed record Global(string Module, string Name);

    private sealed class Mark;

    private sealed class Opaque
    {
        public static readonly Opaque Value = new();
    }

    private static readonly object None = new();

    /// <summary>
    /// Walks one pickle (protocol 0-3) from <paramref name="position"/> to just after its STOP,
    /// tracking only what is needed: strings in order, and persistent ids
    /// <c>('storage', torch.XStorage, key, location, size, view)</c> as key to storage type.
    /// </summary>
    private static (Dictionary<string, string> Storages, List<string> Strings) Walk(byte[] data, ref int position, string path)
    {
        var stack = new List<object>();
        var memo = new Dictionary<long, object>();
        var storages = new Dictionary<string, string>(StringComparer.Ordinal);
        var strings = new List<string>();
        var p = position;

        byte Byte() => p < data.Length ? data[p++] : throw Truncated();
        ReadOnlySpan<byte> Bytes(long n)
        {
            if (n < 0 || n > data.Length - p) throw Truncated();
            var span = data.AsSpan(p, (int)n);
            p += (int)n;
            return span;
        }
        int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));
        string Line()
        {
            var end = Array.IndexOf(data, (byte)'\n', p);
            if (end < 0) throw Truncated();
            var s = Encoding.ASCII.GetString(data, p, end - p);
            p = end + 1;
            return s;
        }
        object Pop()
        {
            if (stack.Count == 0 || stack[^1] is Mark) throw Malformed("stack underflow");
            var top = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return top;
        }
        object[] PopToMark()
        {
            var mark = stack.FindLastIndex(o => o is Mark);
            if (mark < 0) throw Malformed("no mark");
            var items = stack.Skip(mark + 1).ToArray();
            stack.RemoveRange(mark, stack.Count - mark);
            return items;
        }
        void PushString(string s)
        {
            strings.Add(s);
            stack.Add(s);
        }
        object Top() => stack.Count > 0 ? stack[^1] : throw Malformed("empty stack");
        StateDictException Truncated() => new(path, null, "Legacy torch.save file is truncated");
        StateDictException Malformed(string why) => new(path, null, $"Legacy torch.save file has a malformed pickle ({why})");

        while (true) {
            var op = Byte();
            switch (op) {
            case 0x80: Byte(); break; // PROTO
            case (byte)'.': position = p; return (storages, strings); // STOP
            case (byte)'(': stack.Add(new Mark()); break;
            case (byte)'0': Pop(); break;
            case (byte)'1': PopToMark(); break;
            case (byte)'2': stack.Add(Top()); break;
            case (byte)'F' or (byte)'I' or (byte)'L': Line(); stack.Add(Opaque.Value); break;
            case (byte)'J': stack.Add((long)Int32()); break;
            case (byte)'K': stack.Add((long)Byte()); break;
            case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2))); break;
            case (byte)'N': stack.Add(None); break;
            case (byte)'P': Line(); stack.Add(Opaque.Value); break;
            case (byte)'Q': { // BINPERSID
                if (Pop() is object[] { Length: >= 3 } id && id[0] is "storage" && id[1] is Global { Module: "torch" } type && id[2] is string key) {
                    if (id.Length > 5 && id[5] != None)
                        throw new StateDictException(path, key, "Legacy torch.save file uses storage views, which are not supported; re-save it with torch.save from PyTorch 1.6 or later");
                    storages[key] = type.Name;
                }
                stack.Add(Opaque.Value);
                break;
            }
            case (byte)'R' or 0x81: Pop(); Pop(); stack.Add(Opaque.Value); break; // REDUCE, NEWOBJ
            case (byte)'S': PushString(Line()); break;
            case (byte)'T': PushString(Encoding.Latin1.GetString(Bytes(Int32()))); break;
            case (byte)'U': PushString(Encoding.Latin1.GetString(Bytes(Byte()))); break;
            case (byte)'V': PushString(Line()); break;
            case (byte)'X': PushString(Encoding.UTF8.GetString(Bytes(Int32()))); break;
            case (byte)'B': Bytes(Int32()); stack.Add(Opaque.Value); break;
            case (byte)'C': Bytes(Byte()); stack.Add(Opaque.Value); break;
            case (byte)'a' or (byte)'b': Pop(); break; // APPEND, BUILD
            case (byte)'c': stack.Add(new Global(Line(), Line())); break;
            case (byte)'d' or (byte)'l' or (byte)'o': PopToMark(); stack.Add(Opaque.Value); break; // DICT, LIST, OBJ
            case (byte)'i': Line(); Line(); PopToMark(); stack.Add(Opaque.Value); break; // INST
            case (byte)'}' or (byte)']' : stack.Add(Opaque.Value); break;
            case (byte)')': stack.Add(Array.Empty<object>()); break;
            case (byte)'e' or (byte)'u': PopToMark(); break; // APPENDS, SETITEMS
            case (byte)'s': Pop(); Pop(); break; // SETITEM
            case (byte)'t': stack.Add(PopToMark()); break;
            case (byte)'g': stack.Add(memo.GetValueOrDefault(long.Parse(Line()), Opaque.Value)); break;
            case (byte)'h': stack.Add(memo.GetValueOrDefault(Byte(), Opaque.Value)); break;
            case (byte)'j': stack.Add(memo.GetValueOrDefault(Int32(), Opaque.Value)); break;
            case (byte)'p': memo[long.Parse(Line())] = Top(); break;
            case (byte)'q': memo[Byte()] = Top(); break;
            case (byte)'r': memo[Int32()] = Top(); break;
            case (byte)'G': Bytes(8); stack.Add(Opaque.Value); break;
            case 0x82: Byte(); stack.Add(Opaque.Value); break;
            case 0x83: Bytes(2); stack.Add(Opaque.Value); break;
            case 0x84: Bytes(4); stack.Add(Opaque.Value); break;
            case 0x85: stack.Add(new[] { Pop() }); break;
            case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; }
            case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; }
            case 0x88 or 0x89: stack.Add(Opaque.Value); break;
            case 0x8a: Bytes(Byte()); stack.Add(Opaque.Value); break;
            case 0x8b: Bytes(Int32()); stack.Add(Opaque.Value); break;
            default: throw Malformed($"opcode 0x{op:x2} at byte {p - 1}");
            }
        }
    }
}
