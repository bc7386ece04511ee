using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kci.Handlers.DeadLetters;
using Kci.Messages;

namespace Kci.UnitTests.Handlers;

public class When_a_release_is_read
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static ReleasedKci Kci(long sequenceNumber) => new()
    {
        KciId = Guid.NewGuid(), OrderId = Guid.NewGuid(), Order = new OrderKey { EntityType = "PROVIDE_ORDER", EntityId = "42" },
        SequenceNumber = sequenceNumber, Supplier = "S", UpdateType = "INFORMATIONAL", ConversationId = "c", RequestId = "r",
        ReceivedAt = Now, ReleasedAt = Now, Body = "{}",
    };

    [Fact]
    public void Should_read_a_release_written_before_runs_as_a_run_of_one()
    {
        var kci = Kci(3);
        var legacy = new JsonObject { ["kci"] = JsonSerializer.SerializeToNode(kci, Web) }.ToJsonString();

        var run = JsonSerializer.Deserialize<InformationalKciReleased>(legacy, Web)!;

        Assert.Equal([kci], run.Kcis);
    }

    [Fact]
    public void Should_write_only_the_run()
    {
        var json = JsonSerializer.SerializeToNode(new ErrorKciReleased { Kcis = [Kci(1), Kci(2)] }, Web)!.AsObject();

        Assert.Equal(["kcis"], json.Select(p => p.Key));
        Assert.Equal(2, json["kcis"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("legacy release")]
    [InlineData("dead-lettered KciReceived report")]
    [InlineData("fault of a run")]
    public void Should_name_the_kci_a_dead_letter_concerns(string shape)
    {
        var kci = Kci(7);
        var node = JsonSerializer.SerializeToNode(kci, Web)!;
        JsonObject message = shape switch
        {
            "run" => new JsonObject { ["kcis"] = new JsonArray(node, JsonSerializer.SerializeToNode(Kci(8), Web)) },
            "fault of a run" => new JsonObject { ["message"] = new JsonObject { ["kcis"] = new JsonArray(node) } },
            _ => new JsonObject { ["kci"] = node },
        };
        var envelope = new JsonObject { ["messageId"] = Guid.NewGuid().ToString(), ["messageType"] = new JsonArray("urn:message:Kci.Messages:X"), ["message"] = message };

        var facts = EnvelopeReader.Read(Encoding.UTF8.GetBytes(envelope.ToJsonString()));

        Assert.Equal((kci.KciId, 7L, "42"), (facts.KciId, facts.SequenceNumber, facts.EntityId));
    }
}
