using Akka.Actor;
using S4AL.Domain.Experiments;

namespace S4AL.Actors.Coordinator;

/// <summary>
/// Replays the coordinator's journal into a <see cref="CoordinatorState"/> without ever writing
/// to it, for `s4al status` (which may run while the experiment does). It sends the state (or
/// the recovery error) to <c>replyTo</c> and stops.
/// </summary>
public sealed class JournalReaderActor : CoordinatorJournal
{
    public sealed record Result(CoordinatorState? State, string? Error) : INoSerializationVerificationNeeded;

    readonly string _persistenceId;
    readonly IActorRef _replyTo;

    public JournalReaderActor(string persistenceId, IActorRef replyTo)
    {
        _persistenceId = persistenceId;
        _replyTo = replyTo;
    }

    public override string PersistenceId => _persistenceId;

    protected override void OnRecovered()
    {
        _replyTo.Tell(new Result(State, null));
        Context.Stop(Self);
    }

    // The reader's caller reports the failure itself; nothing is published.
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _replyTo.Tell(new Result(null, Describe(reason)));
        Context.Stop(Self);
    }

    public static Props Props(string persistenceId, IActorRef replyTo) =>
        Akka.Actor.Props.Create(() => new JournalReaderActor(persistenceId, replyTo));
}

/// <summary>Reads a coordinator journal once (see <see cref="JournalReaderActor"/>).</summary>
public static class JournalReader
{
    /// <summary>Reads the journal of <paramref name="persistenceId"/> in <paramref name="system"/> (configured with the journal and the S4AL serializer).</summary>
    public static async Task<CoordinatorState> ReadAsync(ActorSystem system, string persistenceId, TimeSpan timeout)
    {
        var inbox = new TaskCompletionSource<JournalReaderActor.Result>(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiver = system.ActorOf(Akka.Actor.Props.Create(() => new ResultReceiver(inbox)));
        system.ActorOf(JournalReaderActor.Props(persistenceId, receiver));
        var done = await Task.WhenAny(inbox.Task, Task.Delay(timeout));
        system.Stop(receiver);
        if (done != inbox.Task) throw new TimeoutException($"reading the journal took longer than {timeout.TotalSeconds:0}s");
        var result = inbox.Task.Result;
        return result.State ?? throw new InvalidDataException($"the journal cannot be read: {result.Error}");
    }

    sealed class ResultReceiver : ReceiveActor
    {
        public ResultReceiver(TaskCompletionSource<JournalReaderActor.Result> inbox) => Receive<JournalReaderActor.Result>(r => inbox.TrySetResult(r));
    }
}
