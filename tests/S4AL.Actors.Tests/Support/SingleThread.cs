using static TorchSharp.torch;

namespace S4AL.Actors.Tests.Support;

/// <summary>
/// Runs libtorch on one thread until disposed, then restores the previous count (as in
/// S4AL.Learning.Tests). The test machine's cores are shared: OpenMP threads that wait for each
/// other on a busy machine slow training by an order of magnitude. Tests run one at a time, so
/// this is safe; the count is process-wide, so a spec that sets it must give it back.
/// </summary>
public sealed class SingleThread : IDisposable
{
    readonly int _previous = get_num_threads();

    public SingleThread() => set_num_threads(1);

    public void Dispose() => set_num_threads(_previous);
}
