using System.Net;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>The validation table of the contract through the real HTTP pipeline (the unit tests cover each rule in detail).</summary>
[Collection(PipelineCollection.Name)]
public class When_the_gateway_posts_a_bad_request(Pipeline pipeline)
{
    private static JsonObject Valid() => Samples.Kci("provide-order-informational.json", Samples.NewEntityId(), 1);

    private async Task<HttpResponseMessage> Post(string? body, string? contentType = "application/json", string? requestId = "request-1",
        string? conversationId = "conversation-1") =>
        await pipeline.Ingress.PostRawAsync(body, await pipeline.TokenAsync(), contentType, requestId, conversationId);

    [Theory]
    [InlineData("{ not json", "body: is not valid JSON")]
    [InlineData("[1, 2, 3]", "body: must be a JSON object")]
    [InlineData("\"a string\"", "body: must be a JSON object")]
    [InlineData("", "body: is not valid JSON")]
    public async Task Should_answer_400_malformed_for_a_body_that_is_not_a_json_object(string body, string message)
    {
        var error = await (await Post(body)).AssertErrorBodyAsync(400, "MALFORMED_REQUEST");
        Assert.Equal([message], error["messages"]!.AsArray().Select(m => m!.GetValue<string>()));
    }

    [Fact]
    public async Task Should_answer_400_malformed_for_a_field_of_the_wrong_json_type()
    {
        var body = Valid();
        body["sequenceNumber"] = "1";
        var error = await (await Post(body.ToJsonString())).AssertErrorBodyAsync(400, "MALFORMED_REQUEST");
        Assert.Contains("sequenceNumber: must be a number", error["messages"]!.AsArray().Select(m => m!.GetValue<string>()));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData(null)]
    public async Task Should_answer_400_malformed_for_a_content_type_other_than_json(string? contentType)
    {
        await (await Post(Valid().ToJsonString(), contentType)).AssertErrorBodyAsync(400, "MALFORMED_REQUEST");
    }

    [Fact]
    public async Task Should_answer_400_malformed_for_a_body_over_the_size_limit()
    {
        var body = Valid();
        body["entity"]!["notes"] = new string('x', 300 * 1024);
        await (await Post(body.ToJsonString())).AssertErrorBodyAsync(400, "MALFORMED_REQUEST");
    }

    [Fact]
    public async Task Should_answer_400_malformed_for_deep_nesting()
    {
        var body = Valid();
        body["entity"]!["notes"] = "DEEP";
        var deep = body.ToJsonString().Replace("\"DEEP\"", new string('[', 100) + new string(']', 100), StringComparison.Ordinal);
        await (await Post(deep)).AssertErrorBodyAsync(400, "MALFORMED_REQUEST");
    }

    [Theory]
    [InlineData(null, "conversation-1", "X-Request-ID: header is required")]
    [InlineData("", "conversation-1", "X-Request-ID: header is required")]
    [InlineData("request-1", null, "X-Conversation-ID: header is required")]
    [InlineData("request-1", "c\u0007", "X-Conversation-ID: must not contain control characters")]
    public async Task Should_answer_400_invalid_for_a_missing_or_bad_header(string? requestId, string? conversationId, string message)
    {
        var error = await (await Post(Valid().ToJsonString(), requestId: requestId, conversationId: conversationId)).AssertErrorBodyAsync(400, "INVALID_REQUEST");
        Assert.Equal([message], error["messages"]!.AsArray().Select(m => m!.GetValue<string>()));
    }

    [Fact]
    public async Task Should_answer_400_invalid_for_a_header_over_200_characters()
    {
        await (await Post(Valid().ToJsonString(), requestId: new string('r', 201))).AssertErrorBodyAsync(400, "INVALID_REQUEST");
    }

    [Theory]
    [InlineData("id")]
    [InlineData("supplier")]
    [InlineData("sequenceNumber")]
    [InlineData("deliveredOn")]
    [InlineData("updateType")]
    [InlineData("information")]
    [InlineData("entityType")]
    [InlineData("entity")]
    public async Task Should_answer_400_invalid_for_a_missing_mandatory_field(string field)
    {
        var body = Valid();
        body.Remove(field);
        await (await Post(body.ToJsonString())).AssertErrorBodyAsync(400, "INVALID_REQUEST");
    }

    [Theory]
    [InlineData("id", "\"12345\"")]
    [InlineData("supplier", "\"NOT-VALID\"")]
    [InlineData("sequenceNumber", "0")]
    [InlineData("sequenceNumber", "2.5")]
    [InlineData("deliveredOn", "\"10/01/2022\"")]
    public async Task Should_answer_422_for_a_value_breaking_a_rule(string field, string json)
    {
        var body = Valid();
        body[field] = JsonNode.Parse(json);
        var error = await (await Post(body.ToJsonString())).AssertErrorBodyAsync(422, "INVALID_REQUEST");
        Assert.All(error["messages"]!.AsArray(), m => Assert.StartsWith(field, m!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_answer_422_for_an_error_payload_without_its_uuid_code_and_messages()
    {
        var body = Samples.Kci("provide-order-error.json", Samples.NewEntityId(), 1);
        body["error"] = new JsonObject();
        var error = await (await Post(body.ToJsonString())).AssertErrorBodyAsync(422, "INVALID_REQUEST");
        Assert.Equal(3, error["messages"]!.AsArray().Count);
    }

    [Fact]
    public async Task Should_never_echo_a_submitted_value()
    {
        var body = Valid();
        body["supplier"] = "john@smith.com";
        var text = await (await Post(body.ToJsonString())).Content.ReadAsStringAsync();
        Assert.DoesNotContain("john@smith.com", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_log_the_reason_with_the_requests_ids()
    {
        var body = Valid();
        body["sequenceNumber"] = 0;
        var requestId = $"log-check-{Guid.NewGuid():N}";
        var error = await (await Post(body.ToJsonString(), requestId: requestId)).AssertErrorBodyAsync(422, "INVALID_REQUEST");

        var uuid = error["uuid"]!.GetValue<string>();
        await pipeline.Ingress.WaitForLineAsync(TimeSpan.FromSeconds(10), requestId, uuid, "sequenceNumber: must be an integer from 1 to");
    }

    [Theory]
    [InlineData("updateType", "SOMETHING_NEW")]
    [InlineData("entityType", "BROADBAND_UPGRADE_ORDER")]
    public async Task Should_accept_an_unknown_enum_value(string field, string value)
    {
        var body = Valid();
        body[field] = value;
        Assert.Equal(HttpStatusCode.NoContent, (await Post(body.ToJsonString())).StatusCode);
    }

    [Fact]
    public async Task Should_answer_204_to_the_same_kci_twice()
    {
        var body = Valid().ToJsonString();
        Assert.Equal(HttpStatusCode.NoContent, (await Post(body)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Post(body)).StatusCode);
    }

}
