using Akka.Actor;
using S4AL.Domain;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Training;
using static S4AL.Domain.Protocols.ReplayProtocol;

namespace S4AL.Actors.Replay;

/// <summary>
/// The training thread's view of a <see cref="ReplayBufferActor"/>: sends do not wait; a draw
/// is awaited one step after it was asked for, by which time its answer has long arrived.
/// </summary>
public sealed class RemoteReplayExchange(IActorRef replay, ExperimentId experiment, string session, TimeSpan timeout) : IReplayExchange
{
    readonly List<Task<object>> _pending = new();
    Task<object>? _draw;
    long _sequence;

    public void Reset(int cycle, ReplayBufferState state)
    {
        _pending.Clear();
        _draw = null;
        _sequence = 0;
        Expect<ReplayDrawn>(replay.Ask<object>(new ResetReplay(experiment, cycle, session, state.ToBytes()), timeout), CancellationToken.None);
    }

    public void Send(int[]? add, int drawCount)
    {
        var task = replay.Ask<object>(new ReplayExchange(experiment, session, ++_sequence, add, drawCount), timeout);
        _pending.RemoveAll(t => t.IsCompletedSuccessfully);
        _pending.Add(task);
        if (drawCount > 0) _draw = task;
    }

    public int[]? TakeDraw(CancellationToken cancel)
    {
        var task = _draw ?? throw new InvalidOperationException("no replay draw was asked for");
        _draw = null;
        return Expect<ReplayDrawn>(task, cancel).Drawn;
    }

    public ReplayBufferState GetState(CancellationToken cancel)
    {
        foreach (var task in _pending) Expect<ReplayDrawn>(task, cancel);
        _pending.Clear();
        var state = Expect<ReplayState>(replay.Ask<object>(new GetReplayState(experiment, session), timeout), cancel);
        return ReplayBufferState.FromBytes(state.State);
    }

    T Expect<T>(Task<object> task, CancellationToken cancel)
    {
        object reply;
        try { reply = task.WaitAsync(cancel).GetAwaiter().GetResult(); }
        catch (AskTimeoutException e) { throw new TimeoutException($"the replay buffer of experiment {experiment} did not answer within {timeout.TotalSeconds:0}s", e); }
        return reply switch
        {
            T ok => ok,
            ReplaySessionLost lost => throw new InvalidOperationException($"replay buffer of experiment {experiment} lost session {session}: {lost.Reason}"),
            _ => throw new InvalidOperationException($"replay buffer of experiment {experiment} answered {reply.GetType().Name}, expected {typeof(T).Name}"),
        };
    }
}
