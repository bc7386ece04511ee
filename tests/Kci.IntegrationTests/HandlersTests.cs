using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>What Handlers do with each kind of KCI, as the operations API shows it.</summary>
[Collection(PipelineCollection.Name)]
public class When_handlers_act_on_kcis(Pipeline pipeline)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task<long> PostSample(string sample, long? entityId = null, long sequenceNumber = 1, Action<JsonObject>? change = null)
    {
        var id = entityId ?? Samples.NewEntityId();
        var body = Samples.Kci(sample, id, sequenceNumber);
        change?.Invoke(body);
        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(body)).StatusCode);
        return id;
    }

    private Task<JsonArray> Get(string path) => pipeline.ListAllAsync(path);

    [Theory]
    [InlineData("provide-order-informational.json", "PROVIDE_ORDER", "informational", "PENDING_CANCELLATION")]
    [InlineData("modify-order-informational.json", "MODIFY_ORDER", "informational", "IN_PROGRESS")]
    [InlineData("cease-order-informational.json", "CEASE_ORDER", "informational", "COMPLETED")]
    [InlineData("provide-order-action-reappoint.json", "PROVIDE_ORDER", "action-required", "PENDING")]
    [InlineData("service-problem-action-confirm.json", "SERVICE_PROBLEM", "action-required", "RESOLVED")]
    [InlineData("provide-order-error.json", "PROVIDE_ORDER", "error", "FAILED_TO_SEND")]
    [InlineData("unsolicited-cease-order-informational.json", "UNSOLICITED_CEASE_ORDER", "informational", "RECEIVED_BY_GATEWAY")]
    public async Task Should_record_every_sample_in_the_timeline_and_the_order(string sample, string entityType, string kind, string status)
    {
        var entityId = await PostSample(sample);
        var timeline = await pipeline.WaitForTimelineAsync(entityType, entityId.ToString(), t => t.Count == 1, Patience);
        Assert.Equal(kind, timeline[0]!["kind"]!.GetValue<string>());

        var order = (await pipeline.Operations.GetFromJsonAsync<JsonObject>($"orders/{entityType}/{entityId}"))!;
        Assert.Equal(status, order["status"]!.GetValue<string>());
        Assert.Equal(entityId, order["entity"]!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Should_open_an_action_item_for_an_action_required_kci()
    {
        var entityId = await PostSample("service-problem-action-confirm.json");
        await pipeline.WaitForTimelineAsync("SERVICE_PROBLEM", entityId.ToString(), t => t.Count == 1, Patience);

        var order = (await pipeline.Operations.GetFromJsonAsync<JsonObject>($"orders/SERVICE_PROBLEM/{entityId}"))!;
        var action = order["openActions"]!.AsArray().Single()!;
        Assert.Equal("CONFIRM", action["type"]!.GetValue<string>());
        Assert.Equal("FAULT_AT_NODE", action["code"]!.GetValue<string>());
        Assert.Contains("accept or reject", action["whatToDo"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_page_a_list_past_500_items_and_link_each_page_to_the_next()
    {
        // 501 gateway errors, each of its own order: more than one page of /errors, whatever the other tests left there.
        var orders = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 501), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (_, _) => orders.Add((await PostSample("provide-order-error.json")).ToString()));
        var mine = orders.ToHashSet();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonArray all;
        while ((all = await Get("errors")).Count(e => mine.Contains(e!["entityId"]!.GetValue<string>())) < mine.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, "501 errors were not all recorded within 60 s");
            await Task.Delay(500);
        }

        // Each error once across the pages, newest first.
        Assert.Equal(mine.Count, all.Select(e => e!["entityId"]!.GetValue<string>()).Where(mine.Contains).Distinct().Count());
        Assert.Equal(all.Count, all.Select(e => e!["kciId"]!.GetValue<string>()).Distinct().Count());
        var recorded = all.Select(e => e!["recordedAt"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(recorded.OrderDescending(), recorded);

        using var first = await pipeline.Operations.GetAsync("errors");
        Assert.Equal(500, (await first.Content.ReadFromJsonAsync<JsonArray>())!.Count);
        Assert.Equal("/errors?page=2", OperatorApi.NextLink(first));
        using var last = await pipeline.Operations.GetAsync($"errors?page={(all.Count + 499) / 500}");
        Assert.Equal(all.Count % 500 is 0 ? 500 : all.Count % 500, (await last.Content.ReadFromJsonAsync<JsonArray>())!.Count);
        Assert.Null(OperatorApi.NextLink(last));
    }

    [Fact]
    public async Task Should_record_a_gateway_error_and_mark_the_order_failed_to_send()
    {
        var entityId = await PostSample("provide-order-error.json");
        await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", entityId.ToString(), t => t.Count == 1, Patience);

        var error = (await Get("errors")).Single(e => e!["entityId"]!.GetValue<string>() == entityId.ToString())!;
        Assert.Equal("SUPPLIER_TIMED_OUT", error["code"]!.GetValue<string>());
        Assert.Equal("87432dfb-2e47-4532-a1b7-4b113d48867d", error["uuid"]!.GetValue<string>());
        Assert.Contains("FAILED_TO_SEND", error["entityStatus"]!.GetValue<string>(), StringComparison.Ordinal);
        await pipeline.Handlers.WaitForLineAsync(Patience, "Gateway error KCI", entityId.ToString());
    }

    [Fact]
    public async Task Should_open_a_review_before_the_requested_cease_date_of_an_unsolicited_cease()
    {
        var entityId = await PostSample("unsolicited-cease-order-informational.json");
        await pipeline.WaitForTimelineAsync("UNSOLICITED_CEASE_ORDER", entityId.ToString(), t => t.Count == 1, Patience);

        var review = (await Get("actions?state=open")).Single(a => a!["entityId"]!.GetValue<string>() == entityId.ToString())!;
        Assert.Equal("REVIEW_CEASE", review["type"]!.GetValue<string>());
        Assert.Equal("2022-04-25", review["dueBy"]!.GetValue<string>());
    }

    [Fact]
    public async Task Should_keep_and_list_unrecognised_update_and_entity_types()
    {
        var newUpdate = await PostSample("provide-order-informational.json", change: b => { b["updateType"] = "SOMETHING_NEW"; b["somethingNew"] = new JsonObject { ["x"] = 1 }; });
        var newEntity = await PostSample("provide-order-informational.json", change: b => b["entityType"] = "BROADBAND_UPGRADE_ORDER");
        await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", newUpdate.ToString(), t => t.Count == 1, Patience);
        await pipeline.WaitForTimelineAsync("BROADBAND_UPGRADE_ORDER", newEntity.ToString(), t => t.Count == 1, Patience);

        var unrecognised = await Get("unrecognised");
        var kept = unrecognised.Single(u => u!["updateType"]!.GetValue<string>() == "SOMETHING_NEW" && u["body"]!.GetValue<string>().Contains(newUpdate.ToString(), StringComparison.Ordinal))!;
        Assert.Contains("somethingNew", kept["body"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(unrecognised, u => u!["body"]!.GetValue<string>().Contains("BROADBAND_UPGRADE_ORDER", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_follow_a_provide_journey_and_resolve_its_reappoint_action()
    {
        var entityId = Samples.NewEntityId();
        var steps = new (long Number, string Sample, string? Type, string Status)[]
        {
            (1, "provide-order-informational.json", "CREATED", "RECEIVED_BY_GATEWAY"),
            (2, "provide-order-informational.json", "ACKNOWLEDGED", "ACKNOWLEDGED"),
            (3, "provide-order-informational.json", "COMMITTED", "IN_PROGRESS"),
            (4, "provide-order-action-reappoint.json", null, "PENDING"),
            (5, "provide-order-informational.json", "REAPPOINTED", "IN_PROGRESS"),
            (6, "provide-order-informational.json", "COMPLETED", "COMPLETED"),
        };
        foreach (var step in steps.Reverse()) // sent backwards: the sequencer puts them right
        {
            await PostSample(step.Sample, entityId, step.Number, body =>
            {
                if (step.Type is not null)
                    body["information"] = new JsonObject { ["type"] = step.Type };
                body["entity"]!["status"] = step.Status;
                body["issuedOn"] = $"2022-01-{10 + step.Number}T09:00:00.000Z";
            });
        }

        var timeline = await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", entityId.ToString(), t => t.Count == 6, Patience);
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], timeline.Numbers());

        var order = (await pipeline.Operations.GetFromJsonAsync<JsonObject>($"orders/PROVIDE_ORDER/{entityId}"))!;
        Assert.Equal("COMPLETED", order["status"]!.GetValue<string>());
        Assert.StartsWith("2022-01-10T09:00:00", order["appointmentStart"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("2022-01-12", order["acknowledgedAt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("2022-01-13", order["committedAt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("2022-01-16", order["completedAt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(order["openActions"]!.AsArray());

        var reappoint = (await Get("actions?state=resolved")).Single(a => a!["entityId"]!.GetValue<string>() == entityId.ToString())!;
        Assert.Equal("REAPPOINT", reappoint["type"]!.GetValue<string>());
        Assert.Equal("kci", reappoint["resolvedBy"]!.GetValue<string>());
        Assert.Contains("REAPPOINTED", reappoint["resolution"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_let_an_operator_resolve_an_action_and_record_who_and_why()
    {
        var entityId = await PostSample("service-problem-action-confirm.json");
        await pipeline.WaitForTimelineAsync("SERVICE_PROBLEM", entityId.ToString(), t => t.Count == 1, Patience);
        var id = (await Get("actions?state=open")).Single(a => a!["entityId"]!.GetValue<string>() == entityId.ToString())!["id"]!.GetValue<string>();

        var resolved = await pipeline.Operations.PostAsJsonAsync($"actions/{id}/resolve", new { reason = "customer confirmed by phone", @operator = "alice" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        var again = await pipeline.Operations.PostAsJsonAsync($"actions/{id}/resolve", new { reason = "twice", @operator = "bob" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var action = (await Get("actions?state=resolved")).Single(a => a!["id"]!.GetValue<string>() == id)!;
        Assert.Equal("alice", action["resolvedBy"]!.GetValue<string>());
        Assert.Contains((await Get("operator-actions")), a => a!["operator"]!.GetValue<string>() == "alice" && a["target"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task Should_leave_exactly_one_effect_when_a_release_is_delivered_twice()
    {
        // Each release is sent, then its row deleted. A trigger puts the row back once, as if the process had died
        // between the send and the delete: the relay's sweep sends the same release (same KCI, same message id) again.
        var entityId = Samples.NewEntityId();
        var orderId = Kci.Hosting.NameBasedGuid.ForOrder("PROVIDE_ORDER", entityId.ToString());
        await pipeline.ExecuteSqlAsync($"""
            CREATE TABLE sequencer.resent_{entityId} (id bigint);
            CREATE FUNCTION sequencer.resend_{entityId}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF OLD.correlation_id = '{orderId}' AND OLD.message_type LIKE '%ActionRequiredKciReleased'
                 AND NOT EXISTS (SELECT 1 FROM sequencer.resent_{entityId}) THEN
                INSERT INTO sequencer.resent_{entityId} VALUES (OLD.id);
                INSERT INTO sequencer.outbox (message_id, destination, message_type, body, fault_destination, correlation_id, conversation_id, created_at)
                VALUES (OLD.message_id, OLD.destination, OLD.message_type, OLD.body, OLD.fault_destination, OLD.correlation_id, OLD.conversation_id, OLD.created_at);
              END IF;
              RETURN OLD;
            END $$;
            CREATE TRIGGER resend_{entityId} AFTER DELETE ON sequencer.outbox FOR EACH ROW EXECUTE FUNCTION sequencer.resend_{entityId}();
            """);
        try
        {
            await PostSample("provide-order-action-reappoint.json", entityId, 1);
            await PostSample("provide-order-informational.json", entityId, 2, b => b["information"] = new JsonObject { ["type"] = "UPDATE" });
            await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", entityId.ToString(), t => t.Count == 2, Patience);
            // The sweep takes the row once it is Outbox:SweepAfter (5 s) old.
            await pipeline.Handlers.WaitForLineAsync(Patience, "acknowledged again", entityId.ToString());
        }
        finally
        {
            await pipeline.ExecuteSqlAsync($"DROP TRIGGER resend_{entityId} ON sequencer.outbox; DROP FUNCTION sequencer.resend_{entityId}(); DROP TABLE sequencer.resent_{entityId};");
        }

        var timeline = await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", entityId.ToString(), _ => true, Patience);
        Assert.Equal([1L, 2L], timeline.Numbers());
        Assert.Single(await Get("actions?state=open"), a => a!["entityId"]!.GetValue<string>() == entityId.ToString());
    }

    [Fact]
    public async Task Should_never_let_a_late_kci_regress_the_order()
    {
        var entityId = Samples.NewEntityId();
        await PostSample("provide-order-informational.json", entityId, 1);
        await PostSample("provide-order-informational.json", entityId, 3, b => b["entity"]!["status"] = "COMPLETED");
        // #2 never comes in time: after the gap timeout (2 min in this pipeline) it would be late. Skip the gap now.
        await pipeline.WaitForSequencerViewAsync("PROVIDE_ORDER", entityId, v => v["gapDeadline"] is not null, Patience);
        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.CommandAsync("PROVIDE_ORDER", entityId, "skip", "supplier says #2 was never sent")).StatusCode);
        await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", entityId.ToString(), t => t.Count == 2, Patience);

        await PostSample("provide-order-informational.json", entityId, 2, b => b["entity"]!["status"] = "IN_PROGRESS");
        var timeline = await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", entityId.ToString(), t => t.Count == 3, Patience);
        Assert.True(timeline.Flags(2)["late"]!.GetValue<bool>());
        var order = (await pipeline.Operations.GetFromJsonAsync<JsonObject>($"orders/PROVIDE_ORDER/{entityId}"))!;
        Assert.Equal("COMPLETED", order["status"]!.GetValue<string>());
        Assert.Equal(3, order["lastAppliedSequence"]!.GetValue<long>());
    }

    [Fact]
    public async Task Should_list_orders_by_status_and_supplier_and_show_held_orders()
    {
        var entityId = await PostSample("modify-order-informational.json");
        await pipeline.WaitForTimelineAsync("MODIFY_ORDER", entityId.ToString(), t => t.Count == 1, Patience);
        var page = (await pipeline.Operations.GetFromJsonAsync<JsonObject>("orders?status=IN_PROGRESS&supplier=SUPPLIER2"))!;
        Assert.Contains(page["items"]!.AsArray(), o => o!["entityId"]!.GetValue<string>() == entityId.ToString());
        Assert.All(page["items"]!.AsArray(), o => Assert.Equal("SUPPLIER2", o!["supplier"]!.GetValue<string>()));

        var since = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O");
        var waiting = await PostSample("provide-order-informational.json", sequenceNumber: 5);
        await pipeline.WaitForSequencerViewAsync("PROVIDE_ORDER", waiting, v => v["heldNumbers"]!.AsArray().Count == 1, Patience);
        Assert.Contains(await Get($"sequencer/held?updatedSince={Uri.EscapeDataString(since)}"), h => h!["entityId"]!.GetValue<string>() == waiting.ToString());
    }
}
