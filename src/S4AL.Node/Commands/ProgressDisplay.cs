using S4AL.Learning.ActiveLearning;
using Spectre.Console;

namespace S4AL.Node.Commands;

/// <summary>A progress sink that owns something on screen: dispose it when the run ends so the display stops cleanly.</summary>
public interface IProgressDisplay : IProgress<ActiveLearningProgress>, IDisposable;

/// <summary>Chooses how experiment progress is shown.</summary>
public static class ProgressDisplay
{
    /// <summary>
    /// The live Spectre.Console display when <paramref name="output"/> is the process's own
    /// interactive terminal; plain lines (<see cref="ConsoleProgress"/>) for anything else,
    /// so logs and CI output stay free of cursor movement.
    /// </summary>
    public static IProgressDisplay Create(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        bool console = ReferenceEquals(output, Console.Out);
        bool terminal = console && !Console.IsOutputRedirected;
        if (UseLive(console, Console.IsOutputRedirected, terminal && AnsiConsole.Profile.Capabilities.Interactive))
            return new LiveProgress();
        return new ConsoleProgress(output, live: terminal);
    }

    /// <summary>The rule of <see cref="Create"/>: live only on the process's own console, not redirected, on an interactive terminal.</summary>
    public static bool UseLive(bool outputIsConsole, bool outputRedirected, bool interactive) =>
        outputIsConsole && !outputRedirected && interactive;
}
