using S4AL.Domain.Experiments;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Node.Sweeps;

/// <summary>How a sweep ended: every experiment done, or the ones that failed (the rest done or waiting on them).</summary>
public sealed record SweepOutcome(IReadOnlyList<(string Experiment, string Error)> Failed)
{
    /// <summary>
    /// The outcome once nothing can go on, else null: every experiment to train is done, failed,
    /// or waits for the labeled set of one that failed (a failed experiment is retried only when
    /// the sweep is submitted again, so waiting longer would wait forever).
    /// </summary>
    public static SweepOutcome? Of(SweepFile sweep, IReadOnlyList<ExperimentStatus> statuses)
    {
        var byId = statuses.Where(s => s.Found).ToDictionary(s => s.Experiment.Value);
        var trained = sweep.Experiments.Where(e => e.SameAs is null).ToList();
        bool Blocked(string id, int depth) =>
            byId.TryGetValue(id, out var s) && depth < 100 &&
            (s.Error is not null || s.Phase == CyclePhase.Waiting && s.WaitingFor is { } w && Blocked(w.Value, depth + 1));
        foreach (var e in trained)
            if (!(byId.TryGetValue(e.Id, out var s) && s.Phase == CyclePhase.Done) && !Blocked(e.Id, 0)) return null;
        return new SweepOutcome(trained.Where(e => byId.TryGetValue(e.Id, out var s) && s.Error is not null).Select(e => (e.Name, byId[e.Id].Error!)).ToList());
    }
}
