using Akka.Actor;
using Akka.Event;
using S4AL.Domain;
using S4AL.Domain.Protocols;
using S4AL.Learning.Training;
using static S4AL.Domain.Protocols.ReplayProtocol;

namespace S4AL.Actors.Replay;

/// <summary>
/// The replay buffer of one experiment's current training session (a Cluster Sharding entity
/// on role <c>replay</c>, keyed by experiment). It applies exchanges strictly in their
/// sequence order, so the draws are exactly those of a buffer held by the trainer itself.
/// </summary>
public sealed class ReplayBufferActor : ReceiveActor
{
    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly SortedDictionary<long, (ReplayExchange Message, IActorRef Sender)> _early = new();
    ReplayBuffer? _buffer;
    string? _session;
    long _nextSequence;

    public ReplayBufferActor()
    {
        Receive<ResetReplay>(r =>
        {
            _buffer = ReplayBuffer.FromState(ReplayBufferState.FromBytes(r.State));
            _session = r.Session;
            _nextSequence = 1;
            _early.Clear();
            _log.Debug("replay buffer of {0} cycle {1}: session {2} starts with {3} items", r.Experiment, r.Cycle, r.Session, _buffer.Count);
            Sender.Tell(new ReplayDrawn(r.Experiment, r.Session, 0, null));
        });
        Receive<ReplayExchange>(e =>
        {
            if (!IsCurrent(e.Experiment, e.Session)) return;
            if (e.Sequence != _nextSequence)
            {
                // Messages of one sender arrive in order on one connection; this only guards a reordering path.
                if (e.Sequence > _nextSequence) _early[e.Sequence] = (e, Sender);
                return;
            }
            Apply(e, Sender);
            while (_early.Remove(_nextSequence, out var next)) Apply(next.Message, next.Sender);
        });
        Receive<GetReplayState>(g =>
        {
            if (!IsCurrent(g.Experiment, g.Session)) return;
            Sender.Tell(new ReplayState(g.Experiment, g.Session, _nextSequence - 1, _buffer!.GetState().ToBytes()));
        });
    }

    bool IsCurrent(ExperimentId experiment, string session)
    {
        if (_buffer is not null && session == _session) return true;
        Sender.Tell(new ReplaySessionLost(experiment, session,
            _session is null ? "the replay buffer has no session (it restarted); reset it" : $"the replay buffer now serves session {_session}"));
        return false;
    }

    void Apply(ReplayExchange e, IActorRef sender)
    {
        if (e.Add is { Length: > 0 }) _buffer!.Add(e.Add);
        int[]? drawn = e.DrawCount > 0 && _buffer!.Count >= e.DrawCount ? _buffer.Sample(e.DrawCount) : null;
        _nextSequence = e.Sequence + 1;
        sender.Tell(new ReplayDrawn(e.Experiment, e.Session, e.Sequence, drawn));
    }
}
