using Akka.Actor;
using S4AL.Actors.Replay;
using S4AL.Actors.Tests.Support;
using S4AL.Domain;
using S4AL.Learning.Training;
using static S4AL.Domain.Protocols.ReplayProtocol;

namespace S4AL.Actors.Tests.Replay;

public class ReplayBufferActorSpecs() : Akka.TestKit.Xunit2.TestKit(ActorSpecConfig.Config)
{
    static readonly ExperimentId Experiment = ExperimentId.Parse("replay-spec");

    [Fact]
    public void Exchanges_draw_exactly_what_a_local_buffer_draws()
    {
        var local = new ReplayBuffer(5, 42);
        var actor = Sys.ActorOf(Props.Create(() => new ReplayBufferActor()));
        actor.Tell(new ResetReplay(Experiment, 1, "s1", local.GetState().ToBytes()));
        ExpectMsg<ReplayDrawn>(d => d.Sequence == 0);
        var rng = new Random(1);
        for (int seq = 1; seq <= 20; seq++)
        {
            var add = Enumerable.Range(0, 2).Select(_ => rng.Next(100)).ToArray();
            int draw = seq % 3 == 0 ? 2 : 0;
            actor.Tell(new ReplayExchange(Experiment, "s1", seq, add, draw));
            local.Add(add);
            var expected = draw > 0 && local.Count >= draw ? local.Sample(draw) : null;
            var drawn = ExpectMsg<ReplayDrawn>();
            Assert.Equal(seq, drawn.Sequence);
            Assert.Equal(expected, drawn.Drawn);
        }
        actor.Tell(new GetReplayState(Experiment, "s1"));
        var state = ReplayBufferState.FromBytes(ExpectMsg<ReplayState>().State);
        Assert.Equal(local.GetState().Items, state.Items);
        Assert.Equal(local.GetState().RandomState, state.RandomState);
    }

    [Fact]
    public void Exchanges_that_arrive_out_of_order_are_applied_in_sequence_order()
    {
        var seed = new ReplayBuffer(3, 7);
        var actor = Sys.ActorOf(Props.Create(() => new ReplayBufferActor()));
        actor.Tell(new ResetReplay(Experiment, 0, "s", seed.GetState().ToBytes()));
        ExpectMsg<ReplayDrawn>();
        actor.Tell(new ReplayExchange(Experiment, "s", 2, null, 3));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        actor.Tell(new ReplayExchange(Experiment, "s", 1, [1, 2, 3], 0));
        Assert.Equal(1, ExpectMsg<ReplayDrawn>().Sequence);
        var second = ExpectMsg<ReplayDrawn>();
        Assert.Equal(2, second.Sequence);
        Assert.Equal(new[] { 1, 2, 3 }, second.Drawn!.Order());
    }

    [Fact]
    public void A_stale_session_is_told_it_lost_the_buffer()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ReplayBufferActor()));
        actor.Tell(new ReplayExchange(Experiment, "never-reset", 1, [1], 0));
        Assert.Contains("no session", ExpectMsg<ReplaySessionLost>().Reason);
        actor.Tell(new ResetReplay(Experiment, 0, "new", new ReplayBuffer(3, 1).GetState().ToBytes()));
        ExpectMsg<ReplayDrawn>();
        actor.Tell(new ReplayExchange(Experiment, "old", 1, [1], 0));
        Assert.Contains("new", ExpectMsg<ReplaySessionLost>().Reason);
    }
}
