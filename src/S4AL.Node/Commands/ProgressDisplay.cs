using S4AL.Learning.ActiveLearning;

namespace S4AL.Node.Commands;

/// <summary>A progress sink that is shown until disposed.</summary>
public interface IProgressDisplay : IProgress<ActiveLearningProgress>, IDisposable;

/// <summary>Chooses the display: plain lines (the live terminal display comes with the reporting work).</summary>
public static class ProgressDisplay
{
    public static IProgressDisplay Create(TextWriter output) =>
        new ConsoleProgress(output, live: ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
}
