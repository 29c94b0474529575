using MessagePack;

namespace S4AL.Domain.Protocols;

/// <summary>
/// Messages to the replay buffer of an experiment (Cluster Sharding, role <c>replay</c>, one
/// entity per experiment). The trainer sends one exchange per step, as soon as it knows the
/// step's unlabeled batch, and gets back the next step's replay draw, so no step waits on it.
/// </summary>
public static class ReplayProtocol
{
    /// <summary>
    /// Start the cycle's buffer in <paramref name="State"/> (the engine's ReplayBufferState bytes:
    /// a fresh seeded buffer or a checkpoint's). <paramref name="Session"/> identifies this
    /// training run; exchanges of another session are refused, so a stale trainer cannot corrupt it.
    /// </summary>
    [MessagePackObject]
    public sealed record ResetReplay(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] int Cycle,
        [property: Key(2)] string Session,
        [property: Key(3)] byte[] State) : IS4alMessage;

    /// <summary>
    /// Add <paramref name="Add"/> (or nothing), then draw <paramref name="DrawCount"/> (0 = no
    /// draw). <paramref name="Sequence"/> numbers the exchanges of a session from 1; replies carry it.
    /// </summary>
    [MessagePackObject]
    public sealed record ReplayExchange(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] string Session,
        [property: Key(2)] long Sequence,
        [property: Key(3)] int[]? Add,
        [property: Key(4)] int DrawCount) : IS4alMessage;

    /// <summary>Answers a <see cref="ResetReplay"/> (Sequence 0) or an exchange; <paramref name="Drawn"/> is null when nothing was asked or the buffer held too few.</summary>
    [MessagePackObject]
    public sealed record ReplayDrawn([property: Key(0)] ExperimentId Experiment, [property: Key(1)] string Session, [property: Key(2)] long Sequence, [property: Key(3)] int[]? Drawn) : IS4alMessage;

    /// <summary>The buffer's state after every exchange of the session so far, for a checkpoint.</summary>
    [MessagePackObject]
    public sealed record GetReplayState([property: Key(0)] ExperimentId Experiment, [property: Key(1)] string Session) : IS4alMessage;

    [MessagePackObject]
    public sealed record ReplayState([property: Key(0)] ExperimentId Experiment, [property: Key(1)] string Session, [property: Key(2)] long Sequence, [property: Key(3)] byte[] State) : IS4alMessage;

    /// <summary>A message of a session that is not the buffer's current one (a newer trainer reset it); the sender must stop.</summary>
    [MessagePackObject]
    public sealed record ReplaySessionLost([property: Key(0)] ExperimentId Experiment, [property: Key(1)] string Session, [property: Key(2)] string Reason) : IS4alMessage;
}
