using Akka.Actor;

namespace S4AL.Actors.Coordinator;

/// <summary>Published on the local event stream when the coordinator's journal cannot be replayed (damaged file, unreadable event).</summary>
public sealed record CoordinatorRecoveryFailed(string Reason) : INoSerializationVerificationNeeded;
