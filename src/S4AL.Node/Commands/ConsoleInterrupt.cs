namespace S4AL.Node.Commands;

/// <summary>
/// Ctrl+C while a command follows long work: the command, not the runtime, ends the process, so
/// the actor system shuts down cleanly and the journal keeps everything for a resume.
/// </summary>
public sealed class ConsoleInterrupt : IDisposable
{
    readonly ConsoleCancelEventHandler _handler;

    ConsoleInterrupt(Action interrupted)
    {
        _handler = (_, e) => { e.Cancel = true; interrupted(); };
        Console.CancelKeyPress += _handler;
    }

    /// <summary>Calls <paramref name="interrupted"/> on Ctrl+C until disposed.</summary>
    public static ConsoleInterrupt On(Action interrupted) => new(interrupted);

    public void Dispose() => Console.CancelKeyPress -= _handler;
}
