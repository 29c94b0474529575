namespace S4AL.Domain;

/// <summary>
/// Marker of every message that can cross nodes or reach the journal. Akka binds it to the
/// project's MessagePack serializer, so a type that lacks a MessagePack contract fails in
/// tests (serialize-messages = on) rather than on a real cluster.
/// </summary>
public interface IS4alMessage;
