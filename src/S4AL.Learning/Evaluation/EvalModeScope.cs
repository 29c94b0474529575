using static TorchSharp.torch;

namespace S4AL.Learning.Evaluation;

/// <summary>
/// Puts a network in evaluation mode and, on dispose, restores the training flag of every
/// submodule as it was, not just the root's: a trainer may keep parts (e.g. frozen
/// batch norm) in eval mode on purpose, and a plain train(true) would flip them.
/// </summary>
internal sealed class EvalModeScope : IDisposable
{
    readonly List<(nn.Module Module, bool Training)> _modes;

    public EvalModeScope(nn.Module network)
    {
        // named_modules lists every parent before its descendants, which Dispose relies on.
        _modes = [(network, network.training), .. network.named_modules().Select(m => (m.module, m.module.training))];
        network.eval();
    }

    public void Dispose()
    {
        var root = _modes[0];
        if (_modes.All(m => m.Training == root.Training))
        {
            root.Module.train(root.Training);
            return;
        }
        // train() is recursive; setting parents first lets each descendant then take its own flag.
        foreach (var (module, training) in _modes) module.train(training);
    }
}
