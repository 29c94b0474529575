// MSBuild inline task (RoslynCodeTaskFactory): marks chosen libstdc++ version needs of
// libLibTorchSharp.so weak when the system libstdc++ does not define them.
// See LibTorchSharpGlibcxx.targets for why this is safe for GLIBCXX_3.4.32.
using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class S4alWeakenElfVersionNeeds : Task
{
    [Required] public string Folder { get; set; } = "";
    [Required] public string Versions { get; set; } = "";

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    static readonly string[] LibstdcxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
    };

    public override bool Execute()
    {
        var targets = new[] { Path.Combine(Folder, "libLibTorchSharp.so"), Path.Combine(Folder, "runtimes", "linux-x64", "native", "libLibTorchSharp.so") }
            .Where(File.Exists).ToArray();
        if (targets.Length == 0) return true;

        var system = LibstdcxxCandidates.FirstOrDefault(File.Exists);
        if (system == null)
        {
            Log.LogMessage(MessageImportance.Low, "S4AL: no system libstdc++ found; libLibTorchSharp.so left as is.");
            return true;
        }
        var systemBytes = File.ReadAllBytes(system);
        var missing = Versions.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(v => v.Trim())
            .Where(v => IndexOf(systemBytes, Encoding.ASCII.GetBytes(v + "\0")) < 0)
            .ToArray();
        if (missing.Length == 0) return true;

        foreach (var file in targets)
        {
            try
            {
                int changed = Patch(file, missing);
                if (changed > 0)
                    Log.LogMessage(MessageImportance.High, $"S4AL: marked {string.Join(", ", missing)} weak in {file} ({system} lacks it).");
            }
            catch (Exception e)
            {
                Log.LogError($"S4AL: could not patch {file}: {e.Message}");
                return false;
            }
        }
        return true;
    }

    static int Patch(string file, string[] versions)
    {
        var b = File.ReadAllBytes(file);
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (b[4] != 2 || b[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");
        ulong shoff = BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A);
        int shnum = BitConverter.ToUInt16(b, 0x3C);
        int changed = 0;
        for (int i = 0; i < shnum; i++)
        {
            long sh = (long)shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(b, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(b, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(b, (int)sh + 0x28);
            long strtab = (long)BitConverter.ToUInt64(b, (int)((long)shoff + (long)link * shentsize) + 0x18);
            long need = offset;
            while (true)
            {
                int count = BitConverter.ToUInt16(b, (int)need + 2);
                uint aux = BitConverter.ToUInt32(b, (int)need + 8);
                uint next = BitConverter.ToUInt32(b, (int)need + 12);
                long a = need + aux;
                for (int k = 0; k < count; k++)
                {
                    ushort flags = BitConverter.ToUInt16(b, (int)a + 4);
                    uint name = BitConverter.ToUInt32(b, (int)a + 8);
                    string version = ReadCString(b, strtab + name);
                    if (versions.Contains(version) && (flags & VerFlgWeak) == 0)
                    {
                        var f = BitConverter.GetBytes((ushort)(flags | VerFlgWeak));
                        b[a + 4] = f[0]; b[a + 5] = f[1];
                        changed++;
                    }
                    uint anext = BitConverter.ToUInt32(b, (int)a + 12);
                    if (anext == 0) break;
                    a += anext;
                }
                if (next == 0) break;
                need += next;
            }
        }
        if (changed > 0)
        {
            // Write beside and rename, so an interrupted build never leaves a half-written library.
            var tmp = file + ".s4al-tmp";
            File.WriteAllBytes(tmp, b);
            File.Replace(tmp, file, null); // atomic rename over the copied library
        }
        return changed;
    }

    static string ReadCString(byte[] b, long at)
    {
        long end = at;
        while (b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
