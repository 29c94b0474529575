using System.Runtime.ExceptionServices;

namespace S4AL.Learning.Data.Batches;

internal static class Parallels
{
    /// <summary>
    /// Parallel.For that rethrows the first failure itself rather than an AggregateException,
    /// so an error naming a bad file reaches the user with its own message and type.
    /// </summary>
    public static void For(int count, CancellationToken cancellation, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellation }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }
}
