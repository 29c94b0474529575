namespace S4AL.Domain.Experiments;

/// <summary>Who labels the regions an experiment queries.</summary>
public enum AnnotatorMode
{
    /// <summary>The dataset's own masks, revealed the moment regions are acquired (benchmarks).</summary>
    Oracle,
    /// <summary>
    /// People: the coordinator waits in <see cref="CyclePhase.Annotating"/> until every queried
    /// region has a stored label (or the round is closed); the pool's masks are never read.
    /// </summary>
    Human,
}
