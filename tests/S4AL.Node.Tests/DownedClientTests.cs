using Akka.Actor;
using S4AL.Node.Commands;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Node.Tests;

/// <summary>
/// A client whose node was downed with its cluster (the split-brain resolver can down every node)
/// says so in one line instead of crashing with a stack trace or waiting out the 2-minute timeout.
/// </summary>
public class DownedClientTests
{
    [Fact]
    public async Task Asking_after_the_clients_actor_system_ended_fails_with_a_message_that_names_the_downing()
    {
        var system = ActorSystem.Create("downed-client");
        var nobody = system.ActorOf(Props.Empty);
        await system.Terminate();
        var e = Assert.Throws<IOException>(() => RunCommand.AskCoordinator<ExperimentList>(system, nobody, new ListExperiments()));
        Assert.Contains("removed from the cluster", e.Message);
    }

    [Fact]
    public async Task A_client_downed_while_it_waits_for_an_answer_fails_at_once_not_after_the_ask_timeout()
    {
        var system = ActorSystem.Create("downed-while-asking");
        var silent = system.ActorOf(Props.Empty);
        var asking = Task.Run(() => RunCommand.AskCoordinator<ExperimentList>(system, silent, new ListExperiments()));
        // The ask is under way (or not yet started: both end in the same error).
        await system.Terminate();
        var e = await Assert.ThrowsAsync<IOException>(() => asking.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("removed from the cluster", e.Message);
    }
}
