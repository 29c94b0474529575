using S4AL.Domain.Experiments;

namespace S4AL.Node.Annotation;

/// <summary>What the annotation page says about an experiment: why there is nothing to label, and what the end of a round starts.</summary>
public static class RoundWords
{
    /// <summary>Why <paramref name="s"/> has no regions for people right now.</summary>
    public static string Situation(ExperimentState s)
    {
        if (s.Plan.Annotator != AnnotatorMode.Human) return $"experiment {s.Id} is labeled by the oracle (the dataset's masks); nothing to label here";
        int next = s.Cycle + 1;
        return s.Phase switch
        {
            CyclePhase.Done => $"experiment {s.Id} is done; nothing more to label",
            CyclePhase.Training when s.Cycle == s.Plan.LastCycle => $"cycle {s.Cycle}, the last, is training; nothing more to label",
            CyclePhase.Training => $"cycle {s.Cycle} is training; its queried regions appear here once it has scored the pool",
            CyclePhase.Scoring or CyclePhase.Acquiring => $"cycle {s.Cycle} is scoring the pool; its queried regions appear here in a moment",
            _ when s.IsInitialRound => "the initial set is labeled; cycle 0 starts training",
            _ => $"cycle {s.Cycle}'s regions are labeled; cycle {next} starts training",
        };
    }

    /// <summary>What happens when every region of the round is labeled ("when all 720 are labeled, cycle 3 starts training").</summary>
    public static string Next(ExperimentState s)
    {
        int queried = s.CycleAcquisition.Length;
        if (s.IsInitialRound) return $"when all {queried} are labeled, cycle 0 starts training";
        int next = s.Cycle + 1;
        return next == s.Plan.LastCycle
            ? $"when all {queried} are labeled, cycle {next}, the last, starts training"
            : $"when all {queried} are labeled, cycle {next} starts training";
    }
}
