using System.Diagnostics.Metrics;

namespace S4AL.Actors.Telemetry;

/// <summary>
/// S4AL's OpenTelemetry instruments (on <see cref="S4alTelemetry.Meter"/>). Recorded where the
/// work happens (trainer thread, scorer, coordinator), with the experiment as a tag.
/// </summary>
public static class S4alMetrics
{
    static readonly Meter Meter = S4alTelemetry.Meter;

    public static readonly Counter<long> TrainingSteps =
        Meter.CreateCounter<long>("s4al.training.steps", "{step}", "SSL training steps done");
    public static readonly Histogram<double> TrainingStepsPerSecond =
        Meter.CreateHistogram<double>("s4al.training.steps_per_second", "{step}/s", "SSL steps per second, one measurement per epoch");
    public static readonly Histogram<double> TrainingLoss =
        Meter.CreateHistogram<double>("s4al.training.loss", "1", "Mean loss of an epoch, by component (total, supervised, unsupervised, replay)");
    public static readonly Histogram<double> ScoringRegionsPerSecond =
        Meter.CreateHistogram<double>("s4al.scoring.regions_per_second", "{region}/s", "Regions scored per second, one measurement per shard");
    public static readonly Histogram<double> ShardDuration =
        Meter.CreateHistogram<double>("s4al.scoring.shard.duration", "s", "Time to score one pool shard on a scorer");
    public static readonly Gauge<double> LabeledPixelShare =
        Meter.CreateGauge<double>("s4al.labeled_pixel_share", "1", "Share of the pool's pixels labeled when the cycle trained");
    public static readonly Gauge<double> MeanIoU =
        Meter.CreateGauge<double>("s4al.cycle.miou", "1", "Validation mIoU of the cycle's network");
    public static readonly Histogram<double> PersistenceLatency =
        Meter.CreateHistogram<double>("s4al.persistence.latency", "ms", "Time from persisting a coordinator event to its confirmation by the journal");
    public static readonly Histogram<double> CycleDuration =
        Meter.CreateHistogram<double>("s4al.cycle.duration", "s", "Wall time of an active-learning cycle on the coordinator");

    public static KeyValuePair<string, object?> Experiment(Domain.ExperimentId id) => new(S4alTelemetry.Tags.Experiment, id.Value);
}
