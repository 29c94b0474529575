using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using S4AL.Actors.Telemetry;
using S4AL.Domain;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.ScorerProtocol;

namespace S4AL.Actors.Scorer;

/// <summary>
/// Scores one pool shard per order (a Cluster Sharding entity on role <c>scorer</c>): it hands the
/// order to the node's <see cref="IShardScoring"/> on a thread of its own, so its mailbox stays
/// responsive, and answers with the shard's best candidates. Orders that arrive while it scores wait.
/// </summary>
public sealed class ScorerActor : ReceiveActor, IWithUnboundedStash
{
    sealed record Scored(ReportShardScored Result, IActorRef ReplyTo) : INoSerializationVerificationNeeded;
    sealed record ScoringFailed(ScoreShard Order, Exception Error, IActorRef ReplyTo) : INoSerializationVerificationNeeded;

    readonly ActorLogger _log = ActorLogger.For(Context, typeof(ScorerActor));
    readonly IShardScoring _scoring;
    readonly string _node;
    readonly string _deviceName;

    public ScorerActor(IShardScoring scoring, ScorerOptions options)
    {
        _scoring = scoring;
        _node = Cluster.Get(Context.System).SelfAddress.ToString();
        _deviceName = options.Device;
        Become(Idle);
    }

    public IStash Stash { get; set; } = null!;

    void Idle()
    {
        Receive<ScoreShard>(order =>
        {
            var replyTo = Sender;
            var self = Self;
            Become(Busy);
            _log.Info(null, "scoring shard {0} of experiment {1} cycle {2}: {3} images", order.Shard, order.Experiment, order.Cycle, order.Images.Length);
            Task.Factory.StartNew(() =>
            {
                object outcome;
                // The shard's span joins the coordinator's cycle trace through the order's traceparent. It ends
                // before the outcome leaves: once the coordinator has it, it may end the cycle's root span.
                using (var span = S4alTelemetry.Source.StartActivity("score shard", ActivityKind.Consumer, S4alTelemetry.ContextOf(order.TraceParent), new KeyValuePair<string, object?>[]
                {
                    new(S4alTelemetry.Tags.Experiment, order.Experiment.Value), new(S4alTelemetry.Tags.Cycle, order.Cycle), new(S4alTelemetry.Tags.Shard, order.Shard),
                    new(S4alTelemetry.Tags.Images, order.Images.Length), new(S4alTelemetry.Tags.NodeAddress, _node), new(S4alTelemetry.Tags.NodeRole, "scorer"),
                    new(S4alTelemetry.Tags.Device, _deviceName),
                }))
                {
                    try
                    {
                        var result = _scoring.Score(order, span);
                        _log.Info(span, "scored shard {0} of experiment {1} cycle {2}: {3} images, {4} candidates in {5:0.0}s",
                            order.Shard, order.Experiment, order.Cycle, order.Images.Length, result.Candidates.Length, result.Seconds);
                        outcome = new Scored(new ReportShardScored(order.Experiment, order.Cycle, order.Shard, result.Candidates, result.Seconds, _node), replyTo);
                    }
                    catch (Exception e)
                    {
                        span.Fail(e);
                        _log.Error(span, e, "scoring shard {0} of experiment {1} cycle {2} failed", order.Shard, order.Experiment, order.Cycle);
                        outcome = new ScoringFailed(order, e, replyTo);
                    }
                }
                self.Tell(outcome);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        });
    }

    void Busy()
    {
        Receive<ScoreShard>(_ => Stash.Stash());
        Receive<Scored>(s =>
        {
            s.ReplyTo.Tell(s.Result);
            Stash.UnstashAll();
            Become(Idle);
        });
        Receive<ScoringFailed>(f =>
        {
            f.ReplyTo.Tell(new ReportShardFailed(f.Order.Experiment, f.Order.Cycle, f.Order.Shard, $"{f.Error.GetType().Name}: {f.Error.Message}"));
            Stash.UnstashAll();
            Become(Idle);
        });
    }
}
