using S4AL.Domain;

namespace S4AL.Actors.Coordinator;

/// <summary>
/// This coordinator incarnation's view of training attempts: the attempts it started and has not
/// sent to a trainer yet (any other attempt found in the state is stale and gets a new one), and
/// how many attempts of a cycle failed since the experiment was (re)submitted, which decides
/// when to give up. Not persisted: a restart retries.
/// </summary>
sealed class TrainingAttempts
{
    readonly HashSet<(ExperimentId Experiment, int Cycle, int Attempt)> _fresh = new();
    readonly Dictionary<(ExperimentId Experiment, int Cycle), int> _failures = new();

    /// <summary>An attempt begun by this incarnation (attempt 0, a cycle no trainer has taken yet, is not one).</summary>
    public void Started(ExperimentId experiment, int cycle, int attempt)
    {
        if (attempt > 0) _fresh.Add((experiment, cycle, attempt));
    }

    /// <summary>Whether the attempt was started by this incarnation and not yet sent (it is then sent, and no longer fresh).</summary>
    public bool TakeFresh(ExperimentId experiment, int cycle, int attempt) => _fresh.Remove((experiment, cycle, attempt));

    /// <summary>Counts a failed attempt of the cycle; returns the failures so far.</summary>
    public int Failed(ExperimentId experiment, int cycle)
    {
        var key = (experiment, cycle);
        return _failures[key] = _failures.GetValueOrDefault(key) + 1;
    }

    /// <summary>A resubmission gives the experiment its full number of attempts again.</summary>
    public void Reset(ExperimentId experiment)
    {
        foreach (var key in _failures.Keys.Where(k => k.Experiment == experiment).ToList()) _failures.Remove(key);
    }
}
