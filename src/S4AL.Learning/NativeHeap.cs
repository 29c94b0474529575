using System.Runtime.InteropServices;

namespace S4AL.Learning;

/// <summary>What <see cref="NativeHeap.Configure"/> decided and did, for a start-up log line.</summary>
/// <param name="Applied">True if the retaining settings are now in effect.</param>
/// <param name="Description">One line: the settings applied, or why the process keeps the allocator's defaults.</param>
public sealed record NativeHeapConfiguration(bool Applied, string Description);

/// <summary>
/// Keeps libtorch's tensor memory inside the process (glibc only). Why: a training step
/// allocates and frees the same large activation buffers on every pass. With glibc's defaults,
/// buffers over its mmap threshold go straight back to the kernel on free and come back as fresh
/// zero-filled pages on the next allocation, so a step pays page faults for every activation:
/// at 360x480 that was 21 s of kernel time over six steps, 12.8 s per step. Raising the mmap
/// threshold to its maximum and not trimming the heap lets freed buffers be reused: 10.6-11.6 s
/// per step, kernel time 4-7 s (docs/benchmarks.md). The price is resident memory: the
/// largest working set of a step stays mapped until the process ends, which is what a training
/// process wants anyway.
/// <para>Skipped, leaving the defaults, when the mode is <c>system</c> (the s4al setting
/// <c>NativeHeap</c>: appsettings.json, <c>S4AL__NativeHeap</c>), when the user set
/// any of glibc's own <c>MALLOC_*_</c> tuning variables (theirs win), or off glibc (macOS,
/// Windows, musl).</para>
/// </summary>
public static class NativeHeap
{
    /// <summary>The mode that applies the settings (the default).</summary>
    public const string RetainMode = "retain";
    /// <summary>The mode that keeps the allocator's defaults.</summary>
    public const string SystemMode = "system";

    /// <summary>Requests larger than this are mmapped and returned to the kernel on free; 32 MiB is glibc's upper limit on 64-bit systems.</summary>
    public const int MmapThresholdBytes = 32 << 20;
    /// <summary>Free memory at the top of the heap kept before it is returned to the kernel: effectively never.</summary>
    public const int TrimThresholdBytes = int.MaxValue;
    /// <summary>Extra memory requested whenever the heap grows, so that growing steps do not call the kernel each time.</summary>
    public const int TopPadBytes = 256 << 20;

    // glibc's mallopt parameters (malloc.h).
    const int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_THRESHOLD = -3;

    /// <summary>glibc's environment variables for the same settings; any of them set (or glibc.malloc.* in GLIBC_TUNABLES) means the user tunes the heap.</summary>
    public static readonly IReadOnlyList<string> GlibcTuningVariables =
        ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_"];

    static readonly object Gate = new();
    static NativeHeapConfiguration? _configured;

    /// <summary><see cref="RetainMode"/> or <see cref="SystemMode"/> (any case); throws naming the expected values.</summary>
    public static string ParseMode(string text) => text.Trim().ToLowerInvariant() switch
    {
        RetainMode => RetainMode,
        SystemMode => SystemMode,
        _ => throw new ArgumentException($"expected '{RetainMode}' (the default) or '{SystemMode}'"),
    };

    /// <summary>
    /// The decision without side effects: <paramref name="mode"/> is retain or system,
    /// <paramref name="environment"/> reads a variable, <paramref name="glibcVersion"/> is the C
    /// library's version or null when it is not glibc. Returns null when the settings should be
    /// applied, else the reason to keep the defaults.
    /// </summary>
    public static string? ReasonToKeepDefaults(string mode, Func<string, string?> environment, string? glibcVersion)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (ParseMode(mode) == SystemMode) return $"NativeHeap={SystemMode}";
        if (glibcVersion is null) return "not glibc";
        var userSet = GlibcTuningVariables.Where(v => !string.IsNullOrEmpty(environment(v))).ToList();
        if (environment("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) == true) userSet.Add("GLIBC_TUNABLES (glibc.malloc.*)");
        if (userSet.Count > 0) return $"{string.Join(", ", userSet)} set by the user";
        return null;
    }

    /// <summary>
    /// Applies the settings once per process (later calls return the first result). Call it at
    /// start-up, before the first tensor: what was already mapped is not affected.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="mode"/> is neither retain nor system.</exception>
    public static NativeHeapConfiguration Configure(string mode = RetainMode)
    {
        lock (Gate)
        {
            if (_configured is not null) return _configured;
            var version = GlibcVersion();
            var reason = ReasonToKeepDefaults(mode, Environment.GetEnvironmentVariable, version);
            if (reason is not null) return _configured = new NativeHeapConfiguration(false, $"native heap: allocator defaults ({reason})");
            var failed = new List<string>();
            if (mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) != 1) failed.Add("M_MMAP_THRESHOLD");
            if (mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) != 1) failed.Add("M_TRIM_THRESHOLD");
            if (mallopt(M_TOP_PAD, TopPadBytes) != 1) failed.Add("M_TOP_PAD");
            return _configured = failed.Count == 0
                ? new NativeHeapConfiguration(true, $"native heap: glibc {version}, freed tensor memory kept for reuse (mmap threshold {MmapThresholdBytes >> 20} MiB, no trimming, top pad {TopPadBytes >> 20} MiB; NativeHeap={SystemMode} turns this off)")
                : new NativeHeapConfiguration(false, $"native heap: glibc {version} refused {string.Join(", ", failed)}; allocator defaults");
        }
    }

    /// <summary>The C library's version when it is glibc (gnu_get_libc_version), else null.</summary>
    public static string? GlibcVersion()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try { return Marshal.PtrToStringAnsi(gnu_get_libc_version()); }
        catch (EntryPointNotFoundException) { return null; }
        catch (DllNotFoundException) { return null; }
    }

    [DllImport("libc", EntryPoint = "gnu_get_libc_version")]
    static extern IntPtr gnu_get_libc_version();

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);
}
