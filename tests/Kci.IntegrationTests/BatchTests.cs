using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>
/// A pipeline with one batch transaction per message type at a time: while a batch is held up (a trigger that sleeps on a
/// marked KCI), the KCIs posted meanwhile gather into the next batch, so a test knows they share one transaction.
/// </summary>
public sealed class OneBatchAtATimePipeline : Pipeline
{
    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Batching__ConcurrencyLimit"] = "1",
    };
}

[CollectionDefinition(Name)]
public sealed class OneBatchAtATimeCollection : ICollectionFixture<OneBatchAtATimePipeline>
{
    public const string Name = "one-batch-at-a-time pipeline";
}

/// <summary>Batches are one transaction each, yet one bad message never takes the others of its batch with it.</summary>
[Collection(OneBatchAtATimeCollection.Name)]
public class When_a_batch_holds_a_message_that_fails_for_good(OneBatchAtATimePipeline pipeline)
{
    private const string Provide = "PROVIDE_ORDER";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>How long the marked KCI holds its batch up: long enough for a pipeline that has only just started.</summary>
    private const int HoldUpSeconds = 3;

    [Fact]
    public async Task Should_dead_letter_only_the_kci_whose_id_another_order_holds_and_sequence_the_rest()
    {
        var reused = Guid.NewGuid();
        var first = Samples.NewEntityId();
        await PostAsync(first, reused);
        await pipeline.WaitForTimelineAsync(Provide, Text(first), t => t.Count == 1, Patience);

        var thief = Samples.NewEntityId();
        var others = Enumerable.Range(0, 8).Select(_ => Samples.NewEntityId()).ToList();
        var slow = Guid.NewGuid();
        await using (await pipeline.HoldUpInsertOfAsync("sequencer.order_kcis", slow, HoldUpSeconds))
        {
            await PostAsync(Samples.NewEntityId(), slow);
            await pipeline.WaitUntilHeldUpAsync(Patience);
            await Task.WhenAll(others.Select(o => PostAsync(o)).Append(PostAsync(thief, reused)));
        }

        foreach (var order in others)
            await pipeline.WaitForTimelineAsync(Provide, Text(order), t => t.Count == 1, Patience);
        var letters = await WaitForDeadLettersAsync([thief, .. others], l => l.Count >= 1);
        Assert.Equal([Text(thief)], letters.Select(l => l["entityId"]!.GetValue<string>()));
        Assert.Contains("23505", letters[0]["exceptionMessage"]!.GetValue<string>(), StringComparison.Ordinal);
        // They did share a batch: it failed whole, and its messages ran again one by one.
        Assert.Matches(@"A batch of ([2-9]|\d\d+) KciReceived failed", pipeline.Sequencer.Output);
    }

    [Fact]
    public async Task Should_block_only_the_order_whose_kci_fails_in_handlers_and_record_the_rest()
    {
        var failing = Guid.NewGuid();
        var blocked = Samples.NewEntityId();
        var others = Enumerable.Range(0, 8).Select(_ => Samples.NewEntityId()).ToList();
        await using (await pipeline.FailHandlingOfAsync(failing))
        {
            var slow = Guid.NewGuid();
            await using (await pipeline.HoldUpInsertOfAsync("handlers.timeline", slow, HoldUpSeconds))
            {
                await PostAsync(Samples.NewEntityId(), slow);
                await pipeline.WaitUntilHeldUpAsync(Patience); // its release reached Handlers first, and holds their one batch up
                await Task.WhenAll(others.Select(o => PostAsync(o)).Append(PostAsync(blocked, failing)));
            }

            foreach (var order in others)
                await pipeline.WaitForTimelineAsync(Provide, Text(order), t => t.Count == 1, Patience);
            var view = await pipeline.WaitForSequencerViewAsync(Provide, blocked, v => v["blocked"]!.GetValue<bool>(), Patience);
            Assert.Equal("Blocked", view["state"]!.GetValue<string>());
        }
        Assert.Matches(@"A batch of ([2-9]|\d\d+) InformationalKciReleased failed", pipeline.Handlers.Output);
        // The failed release is listed for an operator; none of the others is.
        var letters = await WaitForDeadLettersAsync([blocked, .. others], l => l.Count >= 1);
        Assert.All(letters, l => Assert.Equal(Text(blocked), l["entityId"]!.GetValue<string>()));
    }

    private async Task PostAsync(long entityId, Guid? id = null)
    {
        var response = await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", entityId, 1, id));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private async Task<List<JsonObject>> WaitForDeadLettersAsync(IReadOnlyCollection<long> orders, Func<List<JsonObject>, bool> done)
    {
        var ids = orders.Select(Text).ToHashSet();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var letters = (await pipeline.Operations.GetFromJsonAsync<JsonArray>("dead-letters"))!.OfType<JsonObject>()
                .Where(l => l["entityId"]?.GetValue<string>() is { } id && ids.Contains(id)).ToList();
            if (done(letters) || clock.Elapsed > TimeSpan.FromSeconds(10))
                return letters;
            await Task.Delay(200);
        }
    }

    private static string Text(long id) => id.ToString(CultureInfo.InvariantCulture);
}
