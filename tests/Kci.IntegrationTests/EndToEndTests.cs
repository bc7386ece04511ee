using System.Net;
using Kci.Hosting;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

[Collection(PipelineCollection.Name)]
public class When_the_gateway_posts_a_kci(Pipeline pipeline)
{
    [Fact]
    public async Task Should_answer_204_and_show_it_in_the_operations_api_within_5_seconds()
    {
        var entityId = Samples.NewEntityId();
        var body = Samples.Kci("provide-order-informational.json", entityId, sequenceNumber: 1);
        var kciId = body["id"]!.GetValue<string>();

        var response = await pipeline.PostKciAsync(body);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var timeline = await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", entityId.ToString(), t => t.Count == 1, TimeSpan.FromSeconds(5));
        Assert.Equal(kciId, timeline[0]!["id"]!.GetValue<string>());
        Assert.Equal(1, timeline[0]!["sequenceNumber"]!.GetValue<long>());
    }

    [Fact]
    public async Task Should_keep_the_orders_saga_in_postgresql()
    {
        var entityId = Samples.NewEntityId();
        await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", entityId, sequenceNumber: 1));
        await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", entityId.ToString(), t => t.Count == 1, TimeSpan.FromSeconds(5));

        // Handlers' report travels back through their outbox: the saga settles a moment after the timeline shows the KCI.
        var orderId = NameBasedGuid.ForOrder("PROVIDE_ORDER", entityId.ToString());
        var saga = await pipeline.WaitForSagaAsync(orderId, s => s.InFlightKciId is null, TimeSpan.FromSeconds(5));
        Assert.Equal("Sequencing", saga.CurrentState);
        Assert.Equal(2, saga.NextSequence);
    }

    [Fact]
    public async Task Should_hand_kcis_sent_out_of_order_to_handlers_in_sequence()
    {
        var entityId = Samples.NewEntityId();
        foreach (var n in new[] { 3, 1, 2 })
        {
            var response = await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", entityId, n));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var timeline = await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", entityId.ToString(), t => t.Count == 3, TimeSpan.FromSeconds(10));
        Assert.Equal([1L, 2L, 3L], timeline.Select(k => k!["sequenceNumber"]!.GetValue<long>()));
    }
}
