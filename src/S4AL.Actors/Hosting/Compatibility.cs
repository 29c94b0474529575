using Akka.Actor;
using Akka.Event;
using S4AL.Actors.Serialization;
using S4AL.Domain;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Actors.Hosting;

/// <summary>What two nodes must agree on to talk: the wire protocol version and the serializer of <see cref="IS4alMessage"/>.</summary>
public sealed record Compatibility(int ProtocolVersion, int SerializerId)
{
    public const string ProtocolVersionPath = "s4al.protocol-version";
    public const int CurrentProtocolVersion = 1;

    public static Compatibility Of(ActorSystem system) => new(
        system.Settings.Config.GetInt(ProtocolVersionPath, CurrentProtocolVersion),
        system.Serialization.FindSerializerForType(typeof(IS4alMessage)).Identifier);

    /// <summary>The coordinator's answer to a node's handshake: accepted, or refused with the reason (also given to <paramref name="refused"/>).</summary>
    public IS4alMessage Answer(Handshake other, Action<string, string> refused)
    {
        if (Refusal(other) is not { } refusal) return new HandshakeAccepted();
        refused(other.Node, refusal);
        return new HandshakeRefused(refusal);
    }

    /// <summary>Why a node with <paramref name="other"/>'s settings cannot join, or null.</summary>
    public string? Refusal(Handshake other)
    {
        if (other.ProtocolVersion != ProtocolVersion)
            return $"node {other.Node} speaks S4AL protocol version {other.ProtocolVersion}, the coordinator {ProtocolVersion} ({ProtocolVersionPath}); run the same s4al version on every node";
        if (other.SerializerId != SerializerId)
            return $"node {other.Node} serializes S4AL messages with serializer {other.SerializerId}, the coordinator with {SerializerId} ({nameof(S4alMessagePackSerializer)} is {S4alMessagePackSerializer.Id})";
        return null;
    }
}

/// <summary>Published on the local event stream when the coordinator refuses this node.</summary>
public sealed record NodeRefused(string Reason) : INoSerializationVerificationNeeded;

/// <summary>
/// Introduces the node to the coordinator until it answers; a refusal is published as
/// <see cref="NodeRefused"/> (the node command then leaves the cluster and exits).
/// </summary>
public sealed class HandshakeActor : ReceiveActor, IWithTimers
{
    sealed record Retry : INoSerializationVerificationNeeded { public static readonly Retry Instance = new(); }

    public HandshakeActor(IActorRef coordinator, string node)
    {
        var log = Context.GetLogger();
        var me = Compatibility.Of(Context.System);
        Receive<Retry>(_ => coordinator.Tell(new Handshake(node, me.ProtocolVersion, me.SerializerId)));
        Receive<HandshakeAccepted>(_ =>
        {
            log.Info("the coordinator accepted this node");
            Context.Stop(Self);
        });
        Receive<HandshakeRefused>(r =>
        {
            log.Error("the coordinator refused this node: {0}", r.Reason);
            Context.System.EventStream.Publish(new NodeRefused(r.Reason));
            Context.Stop(Self);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("retry", Retry.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(3));
}
