using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Pretraining;

/// <summary>
/// Runs libtorch on one thread until disposed, then restores the previous count. The test
/// machine's cores are shared: two OpenMP threads that wait for each other on a busy machine
/// made a one-second training test take thirty. Tests run one at a time, so this is safe.
/// </summary>
public sealed class SingleThread : IDisposable
{
    readonly int _previous = get_num_threads();

    public SingleThread() => set_num_threads(1);

    public void Dispose() => set_num_threads(_previous);
}
