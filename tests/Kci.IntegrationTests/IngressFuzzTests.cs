using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;
using Npgsql;

namespace Kci.IntegrationTests;

/// <summary>
/// 2,000 requests made by mutating the samples (drop, duplicate, retype or replace fields; truncate; random
/// bytes; huge strings; deep nesting; NUL, control and bidirectional characters, lone surrogates), through the real
/// HTTP pipeline and broker: never a 5xx, every error body is the contract's, and every 204 is followed all the way:
/// its KCI reaches the timeline, or its order says why it waits (a gap before its number, a block, a dead letter).
/// </summary>
[Collection(PipelineCollection.Name)]
public class When_the_ingress_is_fuzzed(Pipeline pipeline)
{
    private const int Cases = 2000;
    private static readonly string[] Codes =
    [
        "GATEWAY_FAULT", "INVALID_REQUEST", "MALFORMED_REQUEST", "NOT_AUTHORISED", "NOT_FOUND", "NOT_IMPLEMENTED",
        "SUPPLIER_FAULT", "SUPPLIER_TIMED_OUT", "TENANT_FAULT",
    ];

    [Fact]
    public async Task Should_never_answer_5xx_and_every_204_should_be_handled_or_its_order_say_why()
    {
        var seed = 20261124;
        var random = new Random(seed);
        var samples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "samples"), "*.json").Select(File.ReadAllText).ToArray();
        var token = await pipeline.TokenAsync();
        using var http = new HttpClient { BaseAddress = pipeline.Ingress.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var requests = Enumerable.Range(0, Cases).Select(i => Mutate(random, samples[random.Next(samples.Length)], i)).ToList();
        var accepted = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();

        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (fuzz, cancellationToken) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "kcis") { Content = new ByteArrayContent(fuzz.Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-Request-ID", $"fuzz-{fuzz.Case}");
            request.Headers.Add("X-Conversation-ID", "fuzz");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            switch (status)
            {
                case 204 when fuzz.KciId is { } id:
                    accepted.Add(id);
                    break;
                case 204:
                    failures.Add($"case {fuzz.Case} ({fuzz.Mutation}): 204 without a recognisable id");
                    break;
                case 400 or 422:
                    if (ErrorBodyProblem(text) is { } problem)
                        failures.Add($"case {fuzz.Case} ({fuzz.Mutation}): {problem}");
                    break;
                default:
                    failures.Add($"case {fuzz.Case} ({fuzz.Mutation}): status {status} {text}");
                    break;
            }
        });

        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} failures, e.g.\n{string.Join('\n', failures.Take(10))}");
        Assert.True(statuses.GetValueOrDefault(204) > 100, $"too few valid cases to prove anything: {string.Join(", ", statuses)}");
        Assert.True(statuses.GetValueOrDefault(400) > 100 && statuses.GetValueOrDefault(422) > 50, $"statuses: {string.Join(", ", statuses)}");

        var handled = await AssertAllHandledOrFlaggedAsync(accepted.Distinct().ToList());
        Assert.True(handled > 50, $"only {handled} accepted KCIs were handled: too few to prove the way through");
    }

    /// <summary>
    /// Every accepted KCI is on its order's timeline, or its order waits with a reason: a gap before its number (the fuzz
    /// numbers its single KCI per order at random), a blocked or dead-lettered KCI. Nothing is merely in flight for ever.
    /// </summary>
    private async Task<int> AssertAllHandledOrFlaggedAsync(List<Guid> ids)
    {
        const string Query = """
            SELECT id, handled, reason FROM (
              SELECT i.id,
                     EXISTS (SELECT 1 FROM handlers.timeline t WHERE t.kci_id = i.id) AS handled,
                     COALESCE(
                       (SELECT 'dead letter in ' || d.queue FROM handlers.dead_letters d WHERE d.kci_id = i.id LIMIT 1),
                       (SELECT o.waiting_reason FROM sequencer.order_kcis k JOIN sequencer.order_overview o ON o.correlation_id = k.order_id
                        WHERE k.kci_id = i.id AND o.waiting_reason IN ('gap', 'blocked', 'dead-letter', 'parked') LIMIT 1)) AS reason
              FROM unnest(@ids) AS i(id)) r
            """;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        List<Guid> unaccounted = ids;
        var handled = 0;
        while (DateTime.UtcNow < deadline)
        {
            await using var connection = new NpgsqlConnection(pipeline.Servers.ConnectionString);
            await connection.OpenAsync();
            await using var query = new NpgsqlCommand(Query, connection);
            query.Parameters.AddWithValue("ids", ids.ToArray());
            unaccounted = [];
            handled = 0;
            await using (var reader = await query.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    if (reader.GetBoolean(1))
                        handled++;
                    else if (reader.IsDBNull(2))
                        unaccounted.Add(reader.GetGuid(0));
                }
            }
            if (unaccounted.Count == 0)
                return handled;
            await Task.Delay(500);
        }
        var errors = (pipeline.Sequencer.Output + "\n" + pipeline.Handlers.Output).Split('\n')
            .Where(l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal)).Take(5);
        Assert.Fail($"{unaccounted.Count} of {ids.Count} KCIs answered 204 are neither handled nor held with a reason, e.g. {unaccounted[0]}\n{string.Join('\n', errors)}");
        return handled;
    }

    private static string? ErrorBodyProblem(string text)
    {
        try
        {
            var body = JsonNode.Parse(text)!.AsObject();
            if (!body.Select(p => p.Key).Order().SequenceEqual(["code", "messages", "uuid"]))
                return $"error body keys {string.Join(",", body.Select(p => p.Key))}";
            if (!Guid.TryParse(body["uuid"]!.GetValue<string>(), out _))
                return "uuid is not a UUID";
            if (!Codes.Contains(body["code"]!.GetValue<string>()))
                return "code outside the enum";
            var messages = body["messages"]!.AsArray();
            if (messages.Count == 0 || messages.Any(m => m is null || string.IsNullOrWhiteSpace(m.GetValue<string>())))
                return "messages empty";
            return null;
        }
        catch (Exception ex)
        {
            return $"error body not as the contract says ({ex.Message}): {text[..Math.Min(200, text.Length)]}";
        }
    }

    private sealed record Fuzz(int Case, string Mutation, byte[] Body, Guid? KciId);

    private static Fuzz Mutate(Random random, string sampleText, int number)
    {
        var sample = JsonNode.Parse(sampleText)!.AsObject();
        var id = Guid.NewGuid();
        sample["id"] = id.ToString();
        sample["entity"]!["id"] = random.NextInt64(1_000_000, long.MaxValue / 2);
        sample["sequenceNumber"] = random.Next(3) == 0 ? random.Next(2, 20) : 1; // mostly handled at once; the rest wait on a gap

        string mutation;
        byte[] body;
        switch (random.Next(10))
        {
            case 0:
                mutation = "none";
                body = Encoding.UTF8.GetBytes(sample.ToJsonString());
                break;
            case 1:
                mutation = "drop";
                Drop(random, sample);
                body = Encoding.UTF8.GetBytes(sample.ToJsonString());
                break;
            case 2:
                mutation = "retype";
                Replace(random, sample, RandomValue(random));
                body = Encoding.UTF8.GetBytes(sample.ToJsonString());
                break;
            case 3:
                mutation = "replace with text";
                Replace(random, sample, JsonValue.Create(RandomText(random, random.Next(0, 40))));
                body = Encoding.UTF8.GetBytes(sample.ToJsonString());
                break;
            case 4:
                mutation = "huge string";
                Replace(random, sample, JsonValue.Create(new string('x', random.Next(10_000, 400_000))));
                body = Encoding.UTF8.GetBytes(sample.ToJsonString());
                break;
            case 5:
                mutation = "truncate";
                var text = sample.ToJsonString();
                body = Encoding.UTF8.GetBytes(text[..random.Next(0, text.Length)]);
                break;
            case 6:
                mutation = "random bytes";
                body = new byte[random.Next(0, 2000)];
                random.NextBytes(body);
                break;
            case 7:
                mutation = "deep nesting";
                var depth = random.Next(30, 500);
                sample["entity"]!["notes"] = "DEEP";
                body = Encoding.UTF8.GetBytes(sample.ToJsonString().Replace("\"DEEP\"", new string('[', depth) + new string(']', depth), StringComparison.Ordinal));
                break;
            case 8:
                mutation = "duplicate field";
                var keys = sample.Select(p => p.Key).ToList();
                var key = keys[random.Next(keys.Count)];
                var json = sample.ToJsonString();
                body = Encoding.UTF8.GetBytes(json[..^1] + $",\"{key}\":{RandomValue(random)?.ToJsonString() ?? "null"}}}");
                break;
            default:
                mutation = "unknown values";
                sample["updateType"] = random.Next(2) == 0 ? sample["updateType"]!.GetValue<string>() : RandomText(random, 12);
                sample["entityType"] = random.Next(2) == 0 ? sample["entityType"]!.GetValue<string>() : RandomText(random, 12);
                sample[RandomText(random, 8)] = RandomValue(random);
                body = Encoding.UTF8.GetBytes(sample.ToJsonString());
                break;
        }
        return new Fuzz(number, mutation, body, id);
    }

    private static void Drop(Random random, JsonObject root)
    {
        var target = RandomObject(random, root);
        var keys = target.Select(p => p.Key).ToList();
        if (keys.Count > 0)
            target.Remove(keys[random.Next(keys.Count)]);
    }

    private static void Replace(Random random, JsonObject root, JsonNode? value)
    {
        var target = RandomObject(random, root);
        var keys = target.Select(p => p.Key).ToList();
        if (keys.Count > 0)
            target[keys[random.Next(keys.Count)]] = value;
    }

    /// <summary>The root, or one of the objects nested in it.</summary>
    private static JsonObject RandomObject(Random random, JsonObject root)
    {
        var objects = new List<JsonObject> { root, root };
        void Collect(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    objects.Add(o);
                    foreach (var (_, child) in o) Collect(child);
                    break;
                case JsonArray a:
                    foreach (var child in a) Collect(child);
                    break;
            }
        }
        foreach (var (_, child) in root) Collect(child);
        return objects[random.Next(objects.Count)];
    }

    private static JsonNode? RandomValue(Random random) => random.Next(7) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(-5, 5)),
        2 => JsonValue.Create(random.NextDouble() * 1e6),
        3 => JsonValue.Create(random.Next(2) == 0),
        4 => new JsonArray(JsonValue.Create(1), JsonValue.Create("x")),
        5 => new JsonObject { ["k"] = "v" },
        _ => JsonValue.Create(RandomText(random, random.Next(0, 30))),
    };

    private static string RandomText(Random random, int length)
    {
        // Includes NUL, a control character, a bidirectional override, and the two halves of a surrogate pair, which a
        // random pick may leave unpaired (the ingress must then refuse it with 422, never accept it and fail later).
        const string alphabet = "abcXYZ019_-:. \u00e9\u4e2d\U0001F600\"\\/\t\0\u0007\u202E";
        var builder = new StringBuilder();
        while (builder.Length < length)
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        return builder.ToString();
    }
}
