using System.Collections.Immutable;
using S4AL.Learning.ActiveLearning;

namespace S4AL.Node.Commands;

/// <summary>What an experiment is doing right now, as the live display names it.</summary>
public enum LivePhase { Waiting, Training, Evaluating, Scoring, Acquiring, Done }

/// <summary>A row of the finished-cycles table: trained on <paramref name="LabeledPixelShare"/> (0..1) of the pool, reached <paramref name="MeanIoU"/> (NaN: not measured).</summary>
public sealed record FinishedCycle(int Cycle, double LabeledPixelShare, double MeanIoU, int AcquiredRegions, double TrainSeconds, double ScoreSeconds);

/// <summary>The last finished epoch of the current training round (<paramref name="Epoch"/> is 1-based).</summary>
public sealed record EpochSummary(int Epoch, int Epochs, LossSummary Losses, double LearningRate, double Seconds);

/// <summary>
/// An immutable picture of <see cref="LiveProgressState"/> for rendering. Counts are of work
/// done: <see cref="EpochsDone"/> whole epochs, then <see cref="StepsDone"/> steps of the
/// current one; <see cref="Scored"/> of <see cref="ScoreTotal"/> <see cref="ScoreUnit"/>.
/// </summary>
public sealed record LiveProgressSnapshot(
    long Version,
    int? Cycle,
    int? Cycles,
    LivePhase Phase,
    double? LabeledPixelShare,
    int Epochs,
    int EpochsDone,
    int StepsPerEpoch,
    int StepsDone,
    float? Loss,
    EpochSummary? LastEpoch,
    double? MeanIoU,
    int Scored,
    int ScoreTotal,
    string ScoreUnit,
    string? Note,
    ImmutableArray<FinishedCycle> Finished)
{
    /// <summary>Share of the current training round done, 0..1 (0 until its size is known).</summary>
    public double TrainingFraction =>
        Epochs <= 0 ? 0
        : StepsPerEpoch <= 0 ? Math.Min(1, (double)EpochsDone / Epochs)
        : Math.Min(1, (EpochsDone * (double)StepsPerEpoch + StepsDone) / ((double)Epochs * StepsPerEpoch));

    /// <summary>Share of the pool (images or shards) scored, 0..1.</summary>
    public double ScoringFraction => ScoreTotal <= 0 ? 0 : Math.Min(1, (double)Scored / ScoreTotal);
}

/// <summary>
/// Turns <see cref="ActiveLearningProgress"/> events into the model of the live display.
/// Events may come from any thread, many per second, so <see cref="Apply"/> only updates
/// fields under a lock; the renderer takes a <see cref="Snapshot"/> a few times per second.
/// </summary>
public sealed class LiveProgressState
{
    readonly Lock _lock = new();
    long _version;
    int? _cycle, _cycles;
    LivePhase _phase = LivePhase.Waiting;
    double? _share, _meanIoU;
    int _epochs, _epochsDone, _stepsPerEpoch, _stepsDone;
    float? _loss;
    EpochSummary? _lastEpoch;
    int _scored, _scoreTotal;
    string _scoreUnit = "images";
    string? _note;
    ImmutableArray<FinishedCycle> _finished = [];

    /// <summary>Folds one event into the state.</summary>
    public void Apply(ActiveLearningProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            _version++;
            switch (value)
            {
                case ActiveLearningProgress.CycleStarted c:
                    _cycle = c.Cycle;
                    _cycles = c.Cycles;
                    _phase = LivePhase.Training;
                    _share = c.LabeledPixelShare;
                    _epochs = c.Epochs;
                    _epochsDone = _stepsDone = _scored = _scoreTotal = 0;
                    _loss = null;
                    _lastEpoch = null;
                    _meanIoU = null;
                    break;
                case ActiveLearningProgress.StepCompleted s:
                    _cycle = s.Cycle;
                    _phase = LivePhase.Training;
                    _epochsDone = s.Epoch;
                    _stepsDone = s.Step + 1;
                    _stepsPerEpoch = s.StepsPerEpoch;
                    _loss = s.Loss;
                    break;
                case ActiveLearningProgress.EpochCompleted e:
                    _cycle = e.Cycle;
                    _epochs = e.Epochs;
                    _epochsDone = e.Epoch + 1;
                    _stepsDone = 0;
                    _lastEpoch = new EpochSummary(e.Epoch + 1, e.Epochs, e.Losses, e.LearningRate, e.Seconds);
                    // Evaluation follows the last epoch and reports nothing until it ends.
                    _phase = e.Epoch + 1 >= e.Epochs ? LivePhase.Evaluating : LivePhase.Training;
                    break;
                case ActiveLearningProgress.Evaluated v:
                    _cycle = v.Cycle;
                    _meanIoU = v.Result.Measured ? v.Result.MeanIoU : null;
                    // The last cycle acquires nothing: it stays "evaluating" until it completes.
                    _phase = _cycles is { } last && v.Cycle >= last ? LivePhase.Evaluating : LivePhase.Scoring;
                    break;
                case ActiveLearningProgress.Scoring s:
                    Scoring(s.Cycle, s.ImagesScored, s.Images, "images");
                    break;
                case ActiveLearningProgress.ShardsScored s:
                    Scoring(s.Cycle, s.ShardsDone, s.Shards, "shards");
                    break;
                case ActiveLearningProgress.Acquired a:
                    _cycle = a.Cycle;
                    _phase = LivePhase.Acquiring;
                    _share = a.LabeledPixelShare;
                    break;
                case ActiveLearningProgress.CycleCompleted c:
                    var r = c.Result;
                    var row = new FinishedCycle(r.Cycle, r.LabeledPixelShare, r.Evaluation.Measured ? r.Evaluation.MeanIoU : double.NaN, r.Acquired.Count, r.TrainSeconds, r.ScoreSeconds);
                    // A resumed run may finish a cycle that was already listed; the newer result wins.
                    _finished = _finished.RemoveAll(f => f.Cycle == r.Cycle).Add(row).Sort((a, b) => a.Cycle.CompareTo(b.Cycle));
                    _cycle = r.Cycle;
                    if (_cycles is { } lastCycle && r.Cycle >= lastCycle) _phase = LivePhase.Done;
                    break;
                case ActiveLearningProgress.Annotating a:
                    _cycle = a.Cycle;
                    _note = $"cycle {a.Cycle} annotating: {a.Labeled} of {a.Queried} regions labeled (s4al export / s4al import --run-dir {a.RunDirectory})";
                    break;
                case ActiveLearningProgress.Resumed resumed:
                    _cycle = resumed.Cycle;
                    _phase = ParsePhase(resumed.Phase) ?? _phase;
                    _note = string.IsNullOrWhiteSpace(resumed.Detail)
                        ? $"resumed at cycle {resumed.Cycle} ({resumed.Phase})"
                        : $"resumed at cycle {resumed.Cycle} ({resumed.Phase}): {resumed.Detail}";
                    break;
            }
        }
    }

    /// <summary>A consistent copy of the state.</summary>
    public LiveProgressSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new LiveProgressSnapshot(_version, _cycle, _cycles, _phase, _share, _epochs, _epochsDone, _stepsPerEpoch, _stepsDone,
                _loss, _lastEpoch, _meanIoU, _scored, _scoreTotal, _scoreUnit, _note, _finished);
        }
    }

    void Scoring(int cycle, int done, int total, string unit)
    {
        _cycle = cycle;
        _scored = done;
        _scoreTotal = total;
        _scoreUnit = unit;
        // Once every candidate is in, what remains is the top-k selection.
        _phase = done >= total ? LivePhase.Acquiring : LivePhase.Scoring;
    }

    /// <summary>Maps a resumed run's phase name (free text from the coordinator) onto a display phase, if it names one.</summary>
    internal static LivePhase? ParsePhase(string? phase)
    {
        var p = phase?.Trim().ToLowerInvariant() ?? "";
        return p switch
        {
            _ when p.StartsWith("train", StringComparison.Ordinal) => LivePhase.Training,
            _ when p.StartsWith("eval", StringComparison.Ordinal) => LivePhase.Evaluating,
            _ when p.StartsWith("scor", StringComparison.Ordinal) => LivePhase.Scoring,
            _ when p.StartsWith("acqui", StringComparison.Ordinal) || p.StartsWith("annot", StringComparison.Ordinal) => LivePhase.Acquiring,
            _ when p.StartsWith("done", StringComparison.Ordinal) || p.StartsWith("complete", StringComparison.Ordinal) => LivePhase.Done,
            _ => null,
        };
    }
}
