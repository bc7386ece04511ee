using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>
/// Hostile and unusual input, end to end: whatever the ingress answers 204 is stored and handled (or its order says why),
/// and whatever it cannot keep that promise for is refused up front with 422. After each case the Sequencer still answers.
/// </summary>
[Collection(PipelineCollection.Name)]
public class When_a_kci_carries_hostile_or_unusual_input(Pipeline pipeline)
{
    private const string Provide = "PROVIDE_ORDER";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static TheoryData<string, string> AcceptedText() => new()
    {
        { "nul", "call\\u0000me" },
        { "controls", "bell\\u0007 esc\\u001b del\\u007f c1\\u0085 tab\\t" },
        { "bidi", "\\u202Egnirts desrever\\u202C and \\u2066isolated\\u2069" },
        { "pair", "emoji \\uD83D\\uDE00 and zero\\u200Bwidth" },
    };

    [Theory]
    [MemberData(nameof(AcceptedText))]
    public async Task Should_store_and_handle_a_kci_whose_text_fields_hold_unusual_characters(string name, string escaped)
    {
        var entityId = Samples.NewEntityId();
        var body = Samples.Kci("provide-order-informational.json", entityId, 1).ToJsonString();
        body = Inject(body, "\"entity\":{", $"\"notes\":\"{escaped}\",");
        body = Inject(body, "\"information\":{", $"\"text\":\"{escaped}\",");

        var response = await pipeline.Ingress.PostRawAsync(body, await pipeline.TokenAsync());
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");

        var timeline = await pipeline.WaitForTimelineAsync(Provide, Id(entityId), t => t.Count == 1, Patience);
        var text = timeline[0]!["text"]!.GetValue<string>();
        Assert.DoesNotContain('\0', text);
        Assert.DoesNotContain(text, c => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069');
        var order = await pipeline.OrderAsync(Provide, entityId);
        Assert.NotNull(order["entity"]);
        Assert.False(order["sequencer"]!["blocked"]!.GetValue<bool>());
        Assert.Equal(body, await pipeline.ScalarAsync<string>("SELECT body FROM handlers.timeline WHERE kci_id = @id", timeline[0]!["id"]!.GetValue<Guid>())); // byte for byte, escapes and all
        await AssertSequencerAnswersAsync();
    }


    [Fact]
    public async Task Should_store_and_handle_very_long_strings_within_the_body_limit()
    {
        var entityId = Samples.NewEntityId();
        var kci = Samples.Kci("provide-order-informational.json", entityId, 1);
        kci["entity"]!["notes"] = new string('n', 120_000);
        kci["entity"]!["status"] = new string('S', 60_000); // indexed when derived: must be cut to fit
        kci["information"]!["text"] = new string('t', 50_000);
        var body = kci.ToJsonString();
        Assert.True(Encoding.UTF8.GetByteCount(body) < 256 * 1024);

        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.Ingress.PostRawAsync(body, await pipeline.TokenAsync())).StatusCode);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, Id(entityId), t => t.Count == 1, Patience);
        Assert.True(timeline[0]!["text"]!.GetValue<string>().Length <= 4001);
        var order = await pipeline.OrderAsync(Provide, entityId);
        Assert.True(order["status"]!.GetValue<string>().Length <= 201);
        Assert.Equal(120_000, order["entity"]!["notes"]!.GetValue<string>().Length);
        await AssertSequencerAnswersAsync();
    }

    [Theory]
    [InlineData("lone \\uD800 surrogate")]
    [InlineData("lone \\uDFFF surrogate")]
    public async Task Should_refuse_an_unpaired_surrogate_with_422_and_log_why_with_the_request_ids(string escaped)
    {
        var body = Inject(Samples.Kci("provide-order-informational.json", Samples.NewEntityId(), 1).ToJsonString(), "\"entity\":{", $"\"notes\":\"{escaped}\",");
        var requestId = $"surrogate-{Guid.NewGuid():N}";

        var response = await pipeline.Ingress.PostRawAsync(body, await pipeline.TokenAsync(), requestId: requestId);
        var error = await response.AssertErrorBodyAsync(422, "INVALID_REQUEST");

        Assert.Contains("entity.notes: contains an unpaired UTF-16 surrogate", error["messages"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        await pipeline.Ingress.WaitForLineAsync(Patience, requestId, "unpaired");
    }

    [Theory]
    [InlineData("9223372036854775807")]
    [InlineData("9007199254740992")]
    [InlineData("18446744073709551616")]
    public async Task Should_refuse_a_sequence_number_beyond_2_pow_53_minus_1_with_422(string number)
    {
        var body = Samples.Kci("provide-order-informational.json", Samples.NewEntityId(), 1).ToJsonString().Replace("\"sequenceNumber\":1", $"\"sequenceNumber\":{number}", StringComparison.Ordinal);
        var error = await (await pipeline.Ingress.PostRawAsync(body, await pipeline.TokenAsync())).AssertErrorBodyAsync(422, "INVALID_REQUEST");
        Assert.Equal("sequenceNumber: must be an integer from 1 to 9007199254740991", error["messages"]![0]!.GetValue<string>());
        await AssertSequencerAnswersAsync();
    }

    [Fact]
    public async Task Should_sequence_a_jump_of_ten_to_the_fifteen_and_the_largest_accepted_number()
    {
        var entityId = Samples.NewEntityId();
        const long far = 1_000_000_000_000_001;
        const long largest = 9_007_199_254_740_991;
        foreach (var number in (long[])[1, far, largest])
            Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", entityId, number))).StatusCode);

        // #1 goes; the far ones wait on the gap. The operator skips exactly the gap the order shows, twice over.
        // #1 released and both far KCIs held first: the queue may hand the three to the saga in any order.
        var view = await pipeline.WaitForSequencerViewAsync(Provide, entityId,
            v => v["nextSequence"]!.GetValue<long>() == 2 && v["heldNumbers"]!.AsArray().Count == 2 && v["targets"]?["gap"] is JsonObject, Patience);
        Assert.Equal(2, view["targets"]!["gap"]!["from"]!.GetValue<long>());
        Assert.Equal(far - 1, view["targets"]!["gap"]!["to"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.CommandAsync(Provide, entityId, "skip", "supplier confirmed the jump")).StatusCode);
        await pipeline.WaitForSequencerViewAsync(Provide, entityId, v => v["targets"]?["gap"]?["from"]?.GetValue<long>() == far + 1, Patience);
        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.CommandAsync(Provide, entityId, "skip", "and the second")).StatusCode);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, Id(entityId), t => t.Count == 3, Patience);
        Assert.Equal([1L, far, largest], timeline.Numbers());
        Assert.Equal(far - 2, timeline.Flags(1)["gapBefore"]!.GetValue<long>());
        Assert.Equal(largest - far - 1, timeline.Flags(2)["gapBefore"]!.GetValue<long>());
        view = (await pipeline.OrderAsync(Provide, entityId))["sequencer"]!.AsObject();
        Assert.Equal(largest + 1, view["nextSequence"]!.GetValue<long>());
        await AssertSequencerAnswersAsync();
    }

    [Fact]
    public async Task Should_stop_a_sequencer_within_10_s_of_sigterm_after_the_extreme_cases()
    {
        var sequencer = pipeline.StartService("Sequencer");
        await sequencer.WaitUntilReadyAsync();
        var entityId = Samples.NewEntityId();
        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", entityId, 9_007_199_254_740_991))).StatusCode);
        await pipeline.WaitForSequencerViewAsync(Provide, entityId, v => v["heldNumbers"]!.AsArray().Count == 1, Patience);

        var took = await sequencer.TerminateAsync(TimeSpan.FromSeconds(10));
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}");
    }

    private async Task AssertSequencerAnswersAsync() =>
        Assert.Equal(HttpStatusCode.OK, (await pipeline.Sequencer.GetAsync("health/live")).StatusCode);

    private static string Inject(string json, string after, string text)
    {
        var at = json.IndexOf(after, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{after} not in the sample");
        return json[..(at + after.Length)] + text + json[(at + after.Length)..];
    }

    private static string Id(long entityId) => entityId.ToString(CultureInfo.InvariantCulture);

}
