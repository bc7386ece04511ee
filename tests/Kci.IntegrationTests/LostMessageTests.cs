using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>A message lost or dead-lettered on the way never wedges an order, nor passes for a gap.</summary>
[Collection(OutageCollection.Name)]
[Trait("Category", "Outage")]
public class When_a_message_is_lost_or_dead_lettered(OutagePipeline pipeline)
{
    private const string ProvideOrder = "PROVIDE_ORDER";

    [Fact]
    public async Task Should_dispatch_the_in_flight_kci_again_when_its_acknowledgement_is_lost_and_complete_the_order()
    {
        var broker = new Broker(pipeline.Servers);
        var entityId = Samples.NewEntityId();
        var id = entityId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // The acknowledgement of #1 is sent while the control queue is cut off its exchange: it is lost for good.
        await broker.UnbindAsync("kci-sequencer-control");
        try
        {
            Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", entityId, 1))).StatusCode);
            await pipeline.WaitForTimelineAsync(ProvideOrder, id, t => t.Count == 1, TimeSpan.FromSeconds(30));
            await pipeline.WaitForEmptyOutboxAsync("handlers", TimeSpan.FromSeconds(30)); // the acknowledgement was sent, and dropped
        }
        finally
        {
            await broker.BindAsync("kci-sequencer-control");
        }
        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", entityId, 2))).StatusCode);

        // The operator sees the order waiting on an acknowledgement, with how long it has waited.
        var view = await pipeline.WaitForSequencerViewAsync(ProvideOrder, entityId,
            v => v["waitingReason"]?.GetValue<string>() == "acknowledgement" && v["heldNumbers"]!.AsArray().Count == 1, TimeSpan.FromSeconds(10));
        Assert.Equal(1, view["inFlightSequence"]!.GetValue<long>());
        Assert.NotNull(view["inFlightSince"]);

        // After the acknowledgement timeout #1 goes again; Handlers recorded it already, acknowledge it again, and #2 follows.
        var timeline = await pipeline.WaitForTimelineAsync(ProvideOrder, id, t => t.Count == 2,
            TimeSpan.FromSeconds(OutagePipeline.AckTimeoutSeconds + 30));
        Assert.Equal([1L, 2L], timeline.Numbers());
        for (var i = 0; i < 2; i++)
            Assert.Equal("""{"late":false,"sequenceConflict":false,"gapBefore":0,"recovered":false}""", timeline.Flags(i).ToJsonString());
        Assert.Contains("acknowledged again", pipeline.Handlers.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_list_a_dead_lettered_kci_hold_its_number_and_handle_it_in_order_once_replayed()
    {
        var broker = new Broker(pipeline.Servers);
        var entityId = Samples.NewEntityId();
        var id = entityId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", entityId, 1))).StatusCode);
        await pipeline.WaitForTimelineAsync(ProvideOrder, id, t => t.Count == 1, TimeSpan.FromSeconds(30));

        // #2 faulted for good in the Sequencer: it lies in kci-sequencer_error.
        var second = Samples.Kci("provide-order-informational.json", entityId, 2);
        await broker.DeclareAsync("kci-sequencer_error");
        await broker.PublishFaultedAsync("kci-sequencer_error", Envelope(second, entityId), "System.InvalidOperationException", "injected by the test");

        // It is listed with its queue and reason, and the order holds its number.
        var letter = await WaitForDeadLetterAsync(second["id"]!.GetValue<string>());
        Assert.Equal("kci-sequencer_error", letter["queue"]!.GetValue<string>());
        Assert.Equal("System.InvalidOperationException", letter["exceptionType"]!.GetValue<string>());
        var summary = (await pipeline.Operations.GetFromJsonAsync<JsonArray>("dead-letters/summary"))!;
        Assert.Contains(summary, q => q!["queue"]!.GetValue<string>() == "kci-sequencer_error" && q["count"]!.GetValue<int>() >= 1);
        await pipeline.WaitForSequencerViewAsync(ProvideOrder, entityId, v => v["deadLetteredNumbers"]!.AsArray().Count == 1, TimeSpan.FromSeconds(15));

        // #3 arrives and waits behind the dead letter well past the gap timeout: the number is not skipped.
        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", entityId, 3))).StatusCode);
        var view = await pipeline.WaitForSequencerViewAsync(ProvideOrder, entityId, v => v["heldNumbers"]!.AsArray().Count == 1, TimeSpan.FromSeconds(15));
        await Task.Delay(TimeSpan.Parse(OutagePipeline.GapTimeout, System.Globalization.CultureInfo.InvariantCulture) + TimeSpan.FromSeconds(3));
        view = (await pipeline.OrderAsync(ProvideOrder, entityId))["sequencer"]!.AsObject();
        Assert.Equal("dead-letter", view["waitingReason"]!.GetValue<string>());
        Assert.Equal(2, view["nextSequence"]!.GetValue<long>());
        Assert.Empty((await pipeline.OrderAsync(ProvideOrder, entityId))["gaps"]!.AsArray());

        // Replayed by an operator: handled in its place, then #3.
        var replay = await pipeline.Operations.PostAsJsonAsync($"dead-letters/{letter["id"]}/replay", new { reason = "bug fixed", @operator = "ops-tester" });
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var timeline = await pipeline.WaitForTimelineAsync(ProvideOrder, id, t => t.Count == 3, TimeSpan.FromSeconds(30));
        Assert.Equal([1L, 2L, 3L], timeline.Numbers());
        for (var i = 0; i < 3; i++)
            Assert.Equal("""{"late":false,"sequenceConflict":false,"gapBefore":0,"recovered":false}""", timeline.Flags(i).ToJsonString());

        // A second replay of the same letter changes nothing and says why; the replay is on the record.
        var again = await pipeline.Operations.PostAsJsonAsync($"dead-letters/{letter["id"]}/replay", new { reason = "double click", @operator = "ops-tester" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("replayed", (await again.Content.ReadFromJsonAsync<JsonObject>())!["current"]!["state"]!.GetValue<string>()); // a problem, with the letter as it is now
        var actions = (await pipeline.Operations.GetFromJsonAsync<JsonArray>("operator-actions"))!;
        Assert.Contains(actions, a => a!["command"]!.GetValue<string>() == "replay-dead-letter" && a["target"]!.GetValue<string>() == $"dead-letter/{letter["id"]}");
    }

    [Fact]
    public async Task Should_list_a_message_no_consumer_took_from_a_skipped_queue()
    {
        var broker = new Broker(pipeline.Servers);
        var messageId = Guid.NewGuid();
        await broker.DeclareAsync("kci-gaps_skipped");
        await broker.PublishFaultedAsync("kci-gaps_skipped", new JsonObject
        {
            ["messageId"] = messageId.ToString(),
            ["messageType"] = new JsonArray("urn:message:Kci.Messages:SomethingNobodyConsumes"),
            ["message"] = new JsonObject { ["kciId"] = Guid.NewGuid().ToString() },
        }, exceptionType: null, exceptionMessage: null);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        JsonNode? letter = null;
        while (letter is null && DateTime.UtcNow < deadline)
        {
            letter = (await pipeline.Operations.GetFromJsonAsync<JsonArray>("dead-letters?queue=kci-gaps_skipped"))!
                .FirstOrDefault(l => l!["messageId"]!.GetValue<string>() == messageId.ToString());
            if (letter is null)
                await Task.Delay(200);
        }
        Assert.NotNull(letter);
        Assert.Equal("kci-gaps", letter!["sourceQueue"]!.GetValue<string>());
        Assert.StartsWith("skipped", letter["exceptionType"]!.GetValue<string>(), StringComparison.Ordinal);
        var replay = await pipeline.Operations.PostAsJsonAsync($"dead-letters/{letter["id"]}/replay", new { reason = "try", @operator = "ops" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, replay.StatusCode); // not a type of ours: listed, never replayed blindly
    }

    private async Task<JsonObject> WaitForDeadLetterAsync(string kciId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var letters = (await pipeline.Operations.GetFromJsonAsync<JsonArray>("dead-letters"))!;
            if (letters.FirstOrDefault(l => l!["kciId"]?.GetValue<string>() == kciId) is JsonObject letter)
                return letter;
            await Task.Delay(200);
        }
        throw new TimeoutException($"dead letter of KCI {kciId} not listed\n--- Handlers ---\n{pipeline.Handlers.Output}");
    }

    /// <summary>A <c>KciReceived</c> as the ingress sends it, in MassTransit's envelope.</summary>
    private static JsonObject Envelope(JsonObject body, long entityId)
    {
        var orderId = Hosting.NameBasedGuid.ForOrder(ProvideOrder, entityId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new JsonObject
        {
            ["messageId"] = Guid.NewGuid().ToString(),
            ["conversationId"] = Guid.NewGuid().ToString(),
            ["destinationAddress"] = "rabbitmq://localhost/kci-sequencer",
            ["messageType"] = new JsonArray("urn:message:Kci.Messages:KciReceived"),
            ["message"] = new JsonObject
            {
                ["kciId"] = body["id"]!.GetValue<string>(),
                ["orderId"] = orderId.ToString(),
                ["order"] = new JsonObject { ["entityType"] = ProvideOrder, ["entityId"] = entityId.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["sequenceNumber"] = body["sequenceNumber"]!.GetValue<long>(),
                ["supplier"] = body["supplier"]!.GetValue<string>(),
                ["updateType"] = body["updateType"]!.GetValue<string>(),
                ["payloadType"] = body["information"]?["type"]?.GetValue<string>(),
                ["conversationId"] = "conversation-it",
                ["requestId"] = Guid.NewGuid().ToString(),
                ["receivedAt"] = DateTimeOffset.UtcNow.ToString("O"),
                ["body"] = body.ToJsonString(),
            },
            ["sentTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["headers"] = new JsonObject(),
        };
    }
}

/// <summary>A database error no retry can cure faults at once, and the operator sees why.</summary>
[Collection(PipelineCollection.Name)]
public class When_the_gateway_reuses_a_kci_id_for_another_order(Pipeline pipeline)
{
    [Fact]
    public async Task Should_fault_at_once_and_list_the_dead_letter_with_the_order_and_the_reason()
    {
        var id = Guid.NewGuid();
        var first = Samples.NewEntityId();
        var second = Samples.NewEntityId();
        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", first, 1, id))).StatusCode);
        await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", first.ToString(System.Globalization.CultureInfo.InvariantCulture), t => t.Count == 1, TimeSpan.FromSeconds(30));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", second, 1, id))).StatusCode);

        JsonObject? letter = null;
        while (letter is null && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var letters = (await pipeline.Operations.GetFromJsonAsync<JsonArray>("dead-letters"))!;
            letter = letters.FirstOrDefault(l => l!["entityId"]?.GetValue<string>() == second.ToString(System.Globalization.CultureInfo.InvariantCulture)) as JsonObject;
            if (letter is null)
                await Task.Delay(200);
        }
        Assert.NotNull(letter);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"listed after {clock.Elapsed}: a unique violation must not be retried 10 times");
        Assert.Contains("23505", letter!["exceptionMessage"]!.GetValue<string>(), StringComparison.Ordinal);
        var order = await pipeline.OrderAsync("PROVIDE_ORDER", second);
        Assert.Single(order["deadLetters"]!.AsArray());
    }
}
