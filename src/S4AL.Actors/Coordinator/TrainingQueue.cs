using S4AL.Domain;

namespace S4AL.Actors.Coordinator;

/// <summary>
/// The order in which experiments get a free trainer: first come, first served, one cycle at a
/// time. An experiment joins when it becomes ready to train and leaves when it is given a
/// trainer, so with more experiments than trainers each waits behind at most the others
/// (never twice behind the same one), whatever their ids. Not persisted: a coordinator that
/// starts (or fails over) lets those ready at that moment join, first those whose round had
/// begun (they had their turn and resume from a checkpoint), each group in id order.
/// </summary>
public sealed class TrainingQueue
{
    readonly LinkedList<ExperimentId> _waiting = new();

    /// <summary>The experiments waiting for a trainer, the next one first.</summary>
    public IReadOnlyCollection<ExperimentId> Waiting => _waiting;

    public bool Contains(ExperimentId experiment) => _waiting.Contains(experiment);

    /// <summary>An experiment became ready to train: it joins at the end, unless it waits already (then it keeps its place).</summary>
    public void Join(ExperimentId experiment)
    {
        if (!_waiting.Contains(experiment)) _waiting.AddLast(experiment);
    }

    /// <summary>
    /// Experiments that became ready at the same moment (one pass over every experiment) join in
    /// the order of their ids, so the order does not depend on how the caller enumerated them;
    /// those for which <paramref name="resumes"/> holds (a round under way when its trainer or the
    /// coordinator stopped) join before the others.
    /// </summary>
    public void Join(IEnumerable<ExperimentId> experiments, Func<ExperimentId, bool>? resumes = null)
    {
        foreach (var experiment in experiments.Distinct().OrderBy(e => resumes?.Invoke(e) == true ? 0 : 1).ThenBy(e => e.Value, StringComparer.Ordinal)) Join(experiment);
    }

    /// <summary>
    /// Takes the first experiment for which <paramref name="stillReady"/> holds; those before it
    /// that no longer need a trainer (failed, trained meanwhile, forgotten) leave. Null: none waits.
    /// </summary>
    public ExperimentId? Next(Func<ExperimentId, bool> stillReady)
    {
        while (_waiting.First is { } first)
        {
            _waiting.RemoveFirst();
            if (stillReady(first.Value)) return first.Value;
        }
        return null;
    }

    /// <summary>A trainer refused the experiment it was just given (busy with another): it goes back to the front, its turn not used.</summary>
    public void Return(ExperimentId experiment)
    {
        _waiting.Remove(experiment);
        _waiting.AddFirst(experiment);
    }

    /// <summary>The experiment no longer waits (e.g. it failed).</summary>
    public void Leave(ExperimentId experiment) => _waiting.Remove(experiment);
}
