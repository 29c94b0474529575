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
        Assert.Null(NativeHeap.ReasonToKeepDefaults("retain", Env(), "2.36"));
        Assert.Null(NativeHeap.ReasonToKeepDefaults(" RETAIN ", Env(), "2.36"));
        // Tunables of something other than malloc are not the user tuning the heap.
        Assert.Null(NativeHeap.ReasonToKeepDefaults("retain", Env(("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F")), "2.36"));
    }

    [Fact]
    public void The_user_can_keep_the_defaults_and_their_own_malloc_settings_win()
    {
        Assert.Equal("NativeHeap=system", NativeHeap.ReasonToKeepDefaults("system", Env(), "2.36"));
        var reason = NativeHeap.ReasonToKeepDefaults("retain", Env(("MALLOC_TOP_PAD_", "0"), ("MALLOC_MMAP_THRESHOLD_", "65536")), "2.36")!;
        Assert.Contains("MALLOC_TOP_PAD_", reason);
        Assert.Contains("MALLOC_MMAP_THRESHOLD_", reason);
        Assert.EndsWith("set by the user", reason);
        Assert.Contains("GLIBC_TUNABLES", NativeHeap.ReasonToKeepDefaults("retain", Env(("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0")), "2.36"));
        Assert.Equal("not glibc", NativeHeap.ReasonToKeepDefaults("retain", Env(), null));
    }

    [Fact]
    public void An_unknown_mode_is_an_error_naming_the_expected_values()
    {
        var e = Assert.Throws<ArgumentException>(() => NativeHeap.ReasonToKeepDefaults("jemalloc", Env(), "2.36"));
        Assert.Contains("retain", e.Message);
        Assert.Contains("system", e.Message);
    }

    [Fact]
    public void The_retaining_heap_is_set_once_exactly_when_nothing_asks_for_the_defaults()
    {
        // What the setting does to page faults is measured by `s4al bench heap` (scripts/bench-heap.sh):
        // the kernel and the allocator decide those counts, not this code.
        var configuration = NativeHeap.Configure();
        Assert.Same(configuration, NativeHeap.Configure());
        bool expected = NativeHeap.ReasonToKeepDefaults(NativeHeap.RetainMode, Environment.GetEnvironmentVariable, NativeHeap.GlibcVersion()) is null;
        Assert.True(configuration.Applied == expected, configuration.Description);
        if (configuration.Applied)
        {
            Assert.Contains((NativeHeap.MmapThresholdBytes >> 20).ToString(System.Globalization.CultureInfo.InvariantCulture) + " MiB", configuration.Description);
            Assert.Contains((NativeHeap.TopPadBytes >> 20).ToString(System.Globalization.CultureInfo.InvariantCulture) + " MiB", configuration.Description);
        }
    }
}
