using Akka.Actor;
using S4AL.Actors.Serialization;
using S4AL.Domain;

namespace S4AL.Actors.Tests.Serialization;

/// <summary>One actor system for the whole class: a TestKit per theory case would start one for each of the ~45 types, three times.</summary>
public sealed class SerializationSystem : IDisposable
{
    public ActorSystem System { get; } = ActorSystem.Create("serialization", S4alMessagePackSerializerTests.Config);

    public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(10));
}

/// <summary>Every message type, one theory case each, so a failure names the type.</summary>
public class MessageRoundTripTests(SerializationSystem fixture) : IClassFixture<SerializationSystem>
{
    readonly ActorSystem _system = fixture.System;

    S4alMessagePackSerializer Serializer => new((ExtendedActorSystem)_system);

    public static TheoryData<string> MessageTypeNames() => new(S4alMessagePackSerializer.MessageTypes.Select(t => t.FullName!).Order());

    static IS4alMessage Sample(string typeName)
    {
        var type = S4alMessagePackSerializer.MessageTypes.Single(t => t.FullName == typeName);
        Assert.True(MessageSamples.ByType.TryGetValue(type, out var sample), $"{type.FullName} has no sample in {nameof(MessageSamples)}");
        return sample;
    }

    [Theory]
    [MemberData(nameof(MessageTypeNames))]
    public void Samples_fill_every_field(string typeName)
    {
        Structural.AssertFilled(Sample(typeName), typeName.Split('.')[^1]);
    }

    [Theory]
    [MemberData(nameof(MessageTypeNames))]
    public void Every_message_type_round_trips(string typeName)
    {
        var sample = Sample(typeName);
        var serializer = Serializer;
        var manifest = serializer.Manifest(sample);
        Assert.Equal(sample.GetType().FullName, manifest);

        var bytes = serializer.ToBinary(sample);
        var back = serializer.FromBinary(bytes, manifest);

        Assert.IsType(sample.GetType(), back);
        Structural.AssertEqual(sample, back, sample.GetType().Name);
        Assert.Equal(bytes, serializer.ToBinary(back));
    }

    [Theory]
    [MemberData(nameof(MessageTypeNames))]
    public void Akka_binds_every_message_type_to_the_s4al_serializer(string typeName)
    {
        var serializer = _system.Serialization.FindSerializerFor(Sample(typeName));
        Assert.IsType<S4alMessagePackSerializer>(serializer);
        Assert.Equal(S4alMessagePackSerializer.Id, serializer.Identifier);
    }
}
