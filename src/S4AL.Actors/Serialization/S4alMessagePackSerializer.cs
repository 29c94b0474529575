using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using MessagePack;
using MessagePack.Resolvers;
using S4AL.Domain;

namespace S4AL.Actors.Serialization;

/// <summary>
/// The Akka serializer of every <see cref="IS4alMessage"/>: MessagePack contracts (integer
/// keys, so renaming a property never breaks the journal), with the type's full name as the
/// manifest. Bound to the marker interface (<see cref="BoundTypes"/>) by Akka.Hosting's WithCustomSerializer or <see cref="Setup"/>.
/// </summary>
public sealed class S4alMessagePackSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer id in the journal and on the wire; never change it.</summary>
    public const int Id = 4401;

    /// <summary>Untrusted-data limits: messages come from the network and the journal.</summary>
    public static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithResolver(StandardResolver.Instance).WithSecurity(MessagePackSecurity.UntrustedData);

    static readonly ConcurrentDictionary<string, Type> TypesByManifest = new(
        typeof(IS4alMessage).Assembly.GetTypes()
            .Where(t => typeof(IS4alMessage).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
            .ToDictionary(ManifestOf, t => t));

    /// <summary>The name the serializer is registered under.</summary>
    public const string Alias = "s4al-messagepack";

    /// <summary>The types it serializes: every <see cref="IS4alMessage"/>.</summary>
    public static readonly IReadOnlyList<Type> BoundTypes = [typeof(IS4alMessage)];

    /// <summary>
    /// The serializer and its binding for an actor system built without Akka.Hosting (TestKit specs,
    /// `s4al status` reading a journal); a node registers the same with WithCustomSerializer.
    /// </summary>
    public static SerializationSetup Setup() =>
        SerializationSetup.Create(system => [SerializerDetails.Create(Alias, new S4alMessagePackSerializer(system), BoundTypes.ToImmutableHashSet())]);

    public override int Identifier => Id;

    /// <summary>Every message type the serializer knows (for round-trip tests and documentation).</summary>
    public static IReadOnlyCollection<Type> MessageTypes => TypesByManifest.Values.ToArray();

    public static string ManifestOf(Type type) => type.FullName ?? type.Name;

    public override string Manifest(object o) => ManifestOf(o.GetType());

    public override byte[] ToBinary(object obj)
    {
        if (obj is not IS4alMessage) throw new SerializationException($"{obj.GetType().FullName} is not an {nameof(IS4alMessage)}; it cannot go through the S4AL serializer");
        return MessagePackSerializer.Serialize(obj.GetType(), obj, Options);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!TypesByManifest.TryGetValue(manifest, out var type))
            throw new SerializationException($"unknown S4AL message type '{manifest}': the node that wrote it runs another version of S4AL.Domain");
        try
        {
            return MessagePackSerializer.Deserialize(type, bytes, Options)
                ?? throw new SerializationException($"message '{manifest}' deserialized to null");
        }
        catch (MessagePackSerializationException e)
        {
            throw new SerializationException($"cannot read message '{manifest}' ({bytes.Length} bytes): {e.Message}", e);
        }
    }
}
