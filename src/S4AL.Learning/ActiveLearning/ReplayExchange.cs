using S4AL.Learning.Training;

namespace S4AL.Learning.ActiveLearning;

/// <summary>
/// Where a cycle's replay buffer lives: in the trainer (<see cref="LocalReplayExchange"/>) or in
/// a replay-buffer actor. A training step sends what it adds as soon as its unlabeled batch is
/// known, together with the request for the next step's draw, and takes that draw one step
/// later; so a remote buffer costs no step a round trip.
/// </summary>
public interface IReplayExchange
{
    /// <summary>Starts the cycle's buffer in <paramref name="state"/> (a fresh trainer's empty, seeded buffer, or a checkpoint's).</summary>
    void Reset(int cycle, ReplayBufferState state);

    /// <summary>Adds <paramref name="add"/> (null: nothing), then draws <paramref name="drawCount"/> (0: no draw). Does not wait.</summary>
    void Send(int[]? add, int drawCount);

    /// <summary>The draw of the newest <see cref="Send"/> that asked for one; null when the buffer held too few. Waits for it.</summary>
    int[]? TakeDraw(CancellationToken cancel);

    /// <summary>The buffer after every <see cref="Send"/> so far (waits for them), for a checkpoint.</summary>
    ReplayBufferState GetState(CancellationToken cancel);
}

/// <summary>The replay buffer held by the training process itself (the in-process driver).</summary>
public sealed class LocalReplayExchange : IReplayExchange
{
    ReplayBuffer? _buffer;
    int[]? _draw;

    public void Reset(int cycle, ReplayBufferState state)
    {
        _buffer = ReplayBuffer.FromState(state);
        _draw = null;
    }

    public void Send(int[]? add, int drawCount)
    {
        var buffer = Buffer;
        if (add is not null) buffer.Add(add);
        if (drawCount > 0) _draw = buffer.Count >= drawCount ? buffer.Sample(drawCount) : null;
    }

    public int[]? TakeDraw(CancellationToken cancel)
    {
        var draw = _draw;
        _draw = null;
        return draw;
    }

    public ReplayBufferState GetState(CancellationToken cancel) => Buffer.GetState();

    ReplayBuffer Buffer => _buffer ?? throw new InvalidOperationException("the replay exchange was not reset for a cycle");
}
