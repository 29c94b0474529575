using S4AL.Learning.ActiveLearning;
using Spectre.Console;

namespace S4AL.Node.Commands;

/// <summary>
/// Experiment progress as a live terminal display (Spectre.Console): a header with cycle,
/// phase and labeled share, training and scoring bars, and a table of finished cycles.
/// <see cref="Report"/> only updates <see cref="LiveProgressState"/> under a lock, so it is
/// cheap and callable from any thread; a dedicated thread redraws a few times per second.
/// <see cref="Dispose"/> stops the display and prints the header and the full table once.
/// </summary>
public sealed class LiveProgress : IProgressDisplay
{
    readonly LiveProgressState _state = new();
    readonly IAnsiConsole _console;
    readonly TimeSpan _refresh;
    readonly ManualResetEventSlim _stop = new();
    readonly Thread _renderer;
    Exception? _failure;
    int _disposed;

    /// <summary>A display on the process's terminal, redrawn every 200 ms.</summary>
    public LiveProgress() : this(AnsiConsole.Console, TimeSpan.FromMilliseconds(200)) { }

    /// <summary>A display on <paramref name="console"/>, redrawn every <paramref name="refresh"/> at most.</summary>
    public LiveProgress(IAnsiConsole console, TimeSpan refresh)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (refresh <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(refresh), $"refresh interval {refresh} must be positive");
        _console = console;
        _refresh = refresh;
        // A background thread: a run that forgets Dispose must still be able to exit.
        _renderer = new Thread(RenderLoop) { IsBackground = true, Name = "s4al-live-progress" };
        _renderer.Start();
    }

    /// <summary>The current model, as the next frame will show it.</summary>
    public LiveProgressSnapshot Snapshot() => _state.Snapshot();

    /// <inheritdoc />
    public void Report(ActiveLearningProgress value) => _state.Apply(value);

    void RenderLoop()
    {
        try
        {
            _console.Live(LiveProgressView.Render(_state.Snapshot()))
                .AutoClear(true)
                .Overflow(VerticalOverflow.Ellipsis)
                .Cropping(VerticalOverflowCropping.Top)
                .Start(ctx =>
                {
                    long shown = -1;
                    while (!_stop.IsSet)
                    {
                        var snapshot = _state.Snapshot();
                        if (snapshot.Version != shown)
                        {
                            ctx.UpdateTarget(LiveProgressView.Render(snapshot));
                            ctx.Refresh();
                            shown = snapshot.Version;
                        }
                        _stop.Wait(_refresh);
                    }
                });
        }
        catch (Exception e)
        {
            // The run itself must not die of a display problem; Dispose reports it after the final table.
            _failure = e;
        }
    }

    /// <summary>Stops the live display and leaves the final header and table printed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Set();
        _renderer.Join();
        _stop.Dispose();
        _console.Write(LiveProgressView.RenderFinal(_state.Snapshot()));
        if (_failure is not null)
            _console.MarkupLine($"[red]the live progress display failed:[/] {Markup.Escape(_failure.Message)}");
    }
}
