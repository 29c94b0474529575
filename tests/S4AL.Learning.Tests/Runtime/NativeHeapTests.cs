using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Runtime;

public class NativeHeapTests
{
    static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Glibc_with_no_settings_gets_the_retaining_heap()
    {
        Assert.Null(NativeHeap.ReasonToKeepDefaults(Env(), "2.36"));
        Assert.Null(NativeHeap.ReasonToKeepDefaults(Env(("S4AL_NATIVE_HEAP", "retain")), "2.36"));
        Assert.Null(NativeHeap.ReasonToKeepDefaults(Env(("S4AL_NATIVE_HEAP", " RETAIN ")), "2.36"));
        // Tunables of something other than malloc are not the user tuning the heap.
        Assert.Null(NativeHeap.ReasonToKeepDefaults(Env(("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F")), "2.36"));
    }

    [Fact]
    public void The_user_can_keep_the_defaults_and_their_own_malloc_settings_win()
    {
        Assert.Equal("S4AL_NATIVE_HEAP=system", NativeHeap.ReasonToKeepDefaults(Env(("S4AL_NATIVE_HEAP", "system")), "2.36"));
        var reason = NativeHeap.ReasonToKeepDefaults(Env(("MALLOC_TOP_PAD_", "0"), ("MALLOC_MMAP_THRESHOLD_", "65536")), "2.36")!;
        Assert.Contains("MALLOC_TOP_PAD_", reason);
        Assert.Contains("MALLOC_MMAP_THRESHOLD_", reason);
        Assert.EndsWith("set by the user", reason);
        Assert.Contains("GLIBC_TUNABLES", NativeHeap.ReasonToKeepDefaults(Env(("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0")), "2.36"));
        Assert.Equal("not glibc", NativeHeap.ReasonToKeepDefaults(Env(), null));
    }

    [Fact]
    public void An_unknown_mode_is_an_error_naming_the_variable_and_value()
    {
        var e = Assert.Throws<ArgumentException>(() => NativeHeap.ReasonToKeepDefaults(Env(("S4AL_NATIVE_HEAP", "jemalloc")), "2.36"));
        Assert.Contains("S4AL_NATIVE_HEAP=jemalloc", e.Message);
        Assert.Contains("system", e.Message);
    }

    [Fact]
    public void Freed_tensor_memory_is_reused_without_new_page_faults()
    {
        var configuration = NativeHeap.Configure();
        Assert.Same(configuration, NativeHeap.Configure());
        bool expected = NativeHeap.ReasonToKeepDefaults(Environment.GetEnvironmentVariable, NativeHeap.GlibcVersion()) is null;
        Assert.True(configuration.Applied == expected, configuration.Description);
        if (!configuration.Applied) return;

        // A step's pattern: several activation-sized buffers (under the 32 MiB mmap threshold)
        // alive together, then all freed. With glibc's defaults the free heap top is trimmed
        // back to the kernel and every round faults its pages in again.
        const int buffers = 6, elements = 6 << 20; // 24 MiB of float32 each
        long pages = (long)buffers * elements * sizeof(float) / Environment.SystemPageSize;
        long FaultsOfOneRound()
        {
            long before = MinorFaults();
            var held = new List<Tensor>();
            for (int i = 0; i < buffers; i++) held.Add(empty(elements, ScalarType.Float32).fill_(1));
            foreach (var t in held) t.Dispose();
            return MinorFaults() - before;
        }
        // Tensors of earlier tests freed by the finalizer thread in the middle of a round would
        // fragment the heap; settle them first.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        // Two rounds to reach the steady state (glibc places the first buffers before it has a heap to reuse).
        FaultsOfOneRound();
        FaultsOfOneRound();
        // What the settings change, measured on this machine (glibc 2.36): with glibc's defaults
        // one 24 MiB buffer is given back and faulted in again every other round (6,145, 0,
        // 6,145, 0 ...); with the settings no round faults. A non-main arena, which the test
        // thread may have, can still unmap a whole 64 MiB heap now and then (seen once in CI:
        // 6,223 faults in one round), so judge the sum of eight rounds: the defaults come to
        // about 24,600 there, the settings to none, or one such event.
        var steady = Enumerable.Range(0, 8).Select(_ => FaultsOfOneRound()).ToArray();
        Assert.True(steady.Sum() < pages / 4, $"{string.Join(", ", steady)} minor faults per round for {pages} pages reused; expected almost none");
    }

    static long MinorFaults()
    {
        // struct rusage: two timevals (16 bytes each), then 14 longs; ru_minflt is the 5th.
        var buffer = new long[18];
        if (getrusage(0, buffer) != 0) throw new InvalidOperationException("getrusage failed");
        return buffer[4 + 4];
    }

    [DllImport("libc", SetLastError = true)]
    static extern int getrusage(int who, [Out] long[] usage);
}
