using System.Diagnostics;
using System.Globalization;
using S4AL.Actors.Scorer;
using S4AL.Node;
using S4AL.Node.Hosting;
using static S4AL.Domain.Protocols.ScorerProtocol;

var services = NodeServices.None;
if (int.TryParse(Environment.GetEnvironmentVariable(DelayedScoring.Variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms > 0)
    services = services with { Scoring = inner => new DelayedScoring(inner, TimeSpan.FromMilliseconds(ms)) };
return await S4alCli.InvokeAsync(args, services);

/// <summary>Shard i waits (i + 1) times the delay before it is scored, so shards finish one by one and a test can kill a node mid-scoring.</summary>
sealed class DelayedScoring(IShardScoring inner, TimeSpan delay) : IShardScoring
{
    public const string Variable = "S4AL_TEST_SCORER_DELAY_MS";

    public ShardScore Score(ScoreShard order, Activity? span)
    {
        Thread.Sleep(delay * (order.Shard + 1));
        return inner.Score(order, span);
    }
}
