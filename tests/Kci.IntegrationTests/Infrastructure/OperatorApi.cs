using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>What an operator does with the operations API, and what the tests read back.</summary>
public static class OperatorApi
{
    /// <summary>
    /// An operator command aimed at what holds the order now, as an operator who just looked at the order page would send
    /// it: the target is read from the order's <c>sequencer.targets</c> (none when the order is unknown).
    /// </summary>
    public static async Task<HttpResponseMessage> CommandAsync(this Pipeline pipeline, string entityType, long entityId, string command,
        string reason = "test", string who = "ops-tester")
    {
        var page = await pipeline.Operations.GetAsync($"orders/{entityType}/{entityId}");
        var targets = page.IsSuccessStatusCode ? (await page.Content.ReadFromJsonAsync<JsonObject>())!["sequencer"]?["targets"] : null;
        var body = new JsonObject { ["reason"] = reason, ["operator"] = who };
        var blocked = targets?["blockedKciId"];
        var deadLettered = targets?["deadLetteredKciIds"] as JsonArray;
        switch (command)
        {
            case "retry":
                body["kciId"] = targets?["blockedKciId"]?.DeepClone();
                break;
            case "skip" when blocked is not null:
                body["kciId"] = blocked.DeepClone();
                break;
            case "skip" when deadLettered is { Count: > 0 }:
                body["kciId"] = deadLettered[0]!.DeepClone();
                break;
            case "skip":
                body["gap"] = targets?["gap"]?.DeepClone();
                break;
            case "unpark":
                body["parkedAt"] = targets?["parkedAt"]?.DeepClone();
                break;
        }
        return await pipeline.CommandAsync(entityType, entityId, command, body);
    }

    /// <summary>An operator command with the body as given (target and all).</summary>
    public static async Task<HttpResponseMessage> CommandAsync(this Pipeline pipeline, string entityType, long entityId, string command, JsonObject body) =>
        await pipeline.Operations.PostAsJsonAsync($"orders/{entityType}/{entityId}/{command}", body);

    public static async Task<JsonObject> OrderAsync(this Pipeline pipeline, string entityType, long entityId) =>
        (await pipeline.Operations.GetFromJsonAsync<JsonObject>($"orders/{entityType}/{entityId}"))!;

    /// <summary>Polls GET /orders/{t}/{id} until the sequencer's view satisfies <paramref name="done"/>.</summary>
    public static async Task<JsonObject> WaitForSequencerViewAsync(this Pipeline pipeline, string entityType, long entityId,
        Func<JsonObject, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var response = await pipeline.Operations.GetAsync($"orders/{entityType}/{entityId}");
            if (response.IsSuccessStatusCode)
            {
                last = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
                if (last["sequencer"] is JsonObject view && done(view))
                    return view;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"sequencer view of {entityType}/{entityId} not as expected: {last?.ToJsonString()}\n--- Sequencer ---\n{pipeline.Sequencer.Output}");
    }

    public static long[] Numbers(this JsonArray timeline) => timeline.Select(k => k!["sequenceNumber"]!.GetValue<long>()).ToArray();

    public static JsonNode Flags(this JsonArray timeline, int index) => timeline[index]!["flags"]!;

    /// <summary>
    /// Makes Handlers fail for good on one KCI: a trigger raises a real, non-transient database error when its
    /// timeline row is written, so retries do not cure it. Disposing removes the trigger.
    /// </summary>
    public static Task<IAsyncDisposable> FailHandlingOfAsync(this Pipeline pipeline, Guid kciId) =>
        pipeline.OnInsertOfAsync("handlers.timeline", kciId, "fail", "RAISE EXCEPTION 'injected failure for a test'");

    /// <summary>
    /// Makes the insert of one KCI's row into <paramref name="table"/> take <paramref name="seconds"/>, holding up the
    /// transaction (and the batch) that writes it. Disposing removes the trigger.
    /// </summary>
    public static Task<IAsyncDisposable> HoldUpInsertOfAsync(this Pipeline pipeline, string table, Guid kciId, int seconds) =>
        pipeline.OnInsertOfAsync(table, kciId, "hold", $"PERFORM pg_sleep({seconds})");

    /// <summary>Every item of an operations API list (<c>errors</c>, <c>actions?state=open</c>, …), following each page's <c>Link: rel="next"</c>.</summary>
    public static async Task<JsonArray> ListAllAsync(this Pipeline pipeline, string path)
    {
        var all = new JsonArray();
        for (var next = path; next is not null;)
        {
            using var response = await pipeline.Operations.GetAsync(next);
            response.EnsureSuccessStatusCode();
            foreach (var item in (await response.Content.ReadFromJsonAsync<JsonArray>())!)
                all.Add(item!.DeepClone());
            next = NextLink(response);
        }
        return all;
    }

    /// <summary>The target of the answer's <c>Link: &lt;…&gt;; rel="next"</c>, if it has one.</summary>
    public static string? NextLink(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Link", out var links)
            ? links.Select(l => System.Text.RegularExpressions.Regex.Match(l, "^<([^>]+)>;\\s*rel=\"next\"$")).FirstOrDefault(m => m.Success)?.Groups[1].Value
            : null;

    /// <summary>Waits until <paramref name="schema"/>'s outbox is empty: every row has been sent (a row goes once it is).</summary>
    public static async Task WaitForEmptyOutboxAsync(this Pipeline pipeline, string schema, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (await pipeline.ScalarAsync<long>($"SELECT count(*) FROM {schema}.outbox") is var rows && rows > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{rows} rows left in {schema}.outbox after {patience}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until a <see cref="HoldUpInsertOfAsync"/> trigger is sleeping: its KCI's transaction has begun and holds up its batch.</summary>
    public static async Task WaitUntilHeldUpAsync(this Pipeline pipeline, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (await pipeline.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no insert was held up within {patience}");
            await Task.Delay(20);
        }
    }

    /// <summary>A trigger that runs <paramref name="action"/> before one KCI's row is inserted into <paramref name="table"/>.</summary>
    private static async Task<IAsyncDisposable> OnInsertOfAsync(this Pipeline pipeline, string table, Guid kciId, string prefix, string action)
    {
        var (schema, name) = (table.Split('.')[0], $"{prefix}_{kciId:N}");
        await pipeline.ExecuteSqlAsync($"""
            CREATE FUNCTION {schema}.{name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.kci_id = '{kciId}' THEN {action}; END IF; RETURN NEW; END $$;
            CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {schema}.{name}();
            """);
        return new Cleanup(() => pipeline.ExecuteSqlAsync($"DROP TRIGGER {name} ON {table}; DROP FUNCTION {schema}.{name}();"));
    }

    private sealed class Cleanup(Func<Task> cleanup) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await cleanup();
    }

    /// <summary>Runs SQL against the test database (as the tests' own fault injection, never as a mock).</summary>
    public static async Task ExecuteSqlAsync(this Pipeline pipeline, string sql)
    {
        await using var connection = new NpgsqlConnection(pipeline.Servers.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row of <paramref name="sql"/>, which may use <c>@id</c> for <paramref name="id"/>.</summary>
    public static async Task<T> ScalarAsync<T>(this Pipeline pipeline, string sql, Guid? id = null)
    {
        await using var connection = new NpgsqlConnection(pipeline.Servers.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (id is { } value)
            command.Parameters.AddWithValue("id", value);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
