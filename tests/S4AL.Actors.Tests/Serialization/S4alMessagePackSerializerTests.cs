using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using S4AL.Actors.Serialization;
using S4AL.Actors.Tests.Support;
using S4AL.Domain;
using S4AL.Domain.Experiments;

namespace S4AL.Actors.Tests.Serialization;

public class S4alMessagePackSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    // The same serializer and binding the node registers (WithS4alSerialization); serialize-messages makes every Tell go through the wire format, as in the actor specs.
    internal static readonly ActorSystemSetup Config = BootstrapSetup.Create()
        .WithConfig(ConfigurationFactory.ParseString("akka.actor.serialize-messages = on").WithFallback(ActorSpecConfig.Timeouts))
        .And(S4alMessagePackSerializer.Setup());

    public S4alMessagePackSerializerTests() : base(Config) { }

    S4alMessagePackSerializer Serializer => new((ExtendedActorSystem)Sys);

    [Fact]
    public void Every_message_type_has_a_sample()
    {
        var missing = S4alMessagePackSerializer.MessageTypes.Where(t => !MessageSamples.ByType.ContainsKey(t)).Select(t => t.FullName).Order();
        Assert.Empty(missing);
        var unknown = MessageSamples.ByType.Keys.Where(t => !S4alMessagePackSerializer.MessageTypes.Contains(t)).Select(t => t.FullName);
        Assert.Empty(unknown);
    }

    [Fact]
    public void Every_message_type_of_the_product_is_known_to_the_serializer()
    {
        // The binding covers IS4alMessage in any assembly, but only S4AL.Domain's types can be read back.
        var declared = new[] { typeof(IS4alMessage).Assembly, typeof(S4alMessagePackSerializer).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(IS4alMessage).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface);
        Assert.Empty(declared.Except(S4alMessagePackSerializer.MessageTypes).Select(t => t.FullName));
        Assert.True(S4alMessagePackSerializer.MessageTypes.Count >= 40, $"only {S4alMessagePackSerializer.MessageTypes.Count} message types found");
    }

    [Fact]
    public void Akka_serialization_round_trips_through_the_manifest()
    {
        foreach (var sample in MessageSamples.ByType.Values)
        {
            var serializer = Sys.Serialization.FindSerializerFor(sample);
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, sample);
            var back = Sys.Serialization.Deserialize(serializer.ToBinary(sample), serializer.Identifier, manifest);
            Structural.AssertEqual(sample, back, sample.GetType().Name);
        }
    }

    [Fact]
    public void Every_sample_survives_a_tell_with_serialize_messages_on()
    {
        foreach (var sample in MessageSamples.ByType.Values)
        {
            TestActor.Tell(sample);
            var received = ExpectMsg<object>(TimeSpan.FromSeconds(30), $"{sample.GetType().Name} (serialize-messages = on drops a message it cannot serialize)");
            // A copy, not the same instance: the message went through the serializer.
            Assert.NotSame(sample, received);
            Structural.AssertEqual(sample, received, sample.GetType().Name);
        }
    }

    [Fact]
    public void Equal_records_without_arrays_are_equal_after_the_round_trip()
    {
        var sample = MessageSamples.ByType[typeof(ExperimentEvents.CheckpointSaved)];
        var serializer = Serializer;
        Assert.Equal(sample, serializer.FromBinary(serializer.ToBinary(sample), serializer.Manifest(sample)));
    }

    [Fact]
    public void An_unknown_manifest_is_refused_naming_it()
    {
        var serializer = Serializer;
        var bytes = serializer.ToBinary(MessageSamples.ByType[typeof(ExperimentEvents.RegionsAnnotated)]);
        var ex = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "S4AL.Domain.Experiments.ExperimentEvents+RegionsForgotten"));
        Assert.Contains("'S4AL.Domain.Experiments.ExperimentEvents+RegionsForgotten'", ex.Message);
        Assert.Contains("unknown S4AL message type", ex.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0xC1 })]
    [InlineData(new byte[] { 0x93, 0xA5, 0x65 })]
    [InlineData(new byte[] { 0x92, 0x01, 0x02 })]
    [InlineData(new byte[0])]
    public void Garbage_bytes_are_refused_naming_the_manifest(byte[] bytes)
    {
        var manifest = S4alMessagePackSerializer.ManifestOf(typeof(ExperimentEvents.CycleStarted));
        var ex = Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, manifest));
        Assert.Contains($"'{manifest}'", ex.Message);
    }

    [Fact]
    public void A_truncated_message_is_refused_naming_the_manifest()
    {
        var serializer = Serializer;
        var sample = MessageSamples.ByType[typeof(ExperimentEvents.ShardScored)];
        var bytes = serializer.ToBinary(sample);
        var manifest = serializer.Manifest(sample);
        var ex = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..^3], manifest));
        Assert.Equal($"cannot read message '{manifest}' ({bytes.Length - 3} bytes)", ex.Message.Split(':')[0]);
    }

    [Fact]
    public void A_nil_message_is_refused_naming_the_manifest()
    {
        var manifest = S4alMessagePackSerializer.ManifestOf(typeof(ExperimentEvents.Submitted));
        var ex = Assert.Throws<SerializationException>(() => Serializer.FromBinary([0xC0], manifest));
        Assert.Equal($"message '{manifest}' deserialized to null", ex.Message);
    }

    [Fact]
    public void An_object_that_is_not_an_s4al_message_is_refused()
    {
        var ex = Assert.Throws<SerializationException>(() => Serializer.ToBinary(new Uri("http://example.org")));
        Assert.Equal("System.Uri is not an IS4alMessage; it cannot go through the S4AL serializer", ex.Message);
    }

    [Fact]
    public void The_serializer_is_configured_under_its_fixed_id()
    {
        // The journal stores the id next to each event: events written under 4401 must stay readable.
        Assert.Equal(4401, S4alMessagePackSerializer.Id);
        var sample = MessageSamples.ByType[typeof(ExperimentEvents.CycleStarted)];
        var back = Sys.Serialization.Deserialize(Serializer.ToBinary(sample), 4401, S4alMessagePackSerializer.ManifestOf(sample.GetType()));
        Assert.Equal(sample, back);
    }
}
