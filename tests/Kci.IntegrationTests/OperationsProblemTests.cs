using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>Issue 14, item 6: every error of the operations API is RFC 7807 problem details, naming the field at fault.</summary>
[Collection(PipelineCollection.Name)]
public class When_the_operations_api_refuses_a_request(Pipeline pipeline)
{
    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()), text);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal); // never a stack trace or an exception's text
        return problem;
    }

    private static void AssertField(JsonObject problem, string field) =>
        Assert.True(problem["errors"]?[field] is JsonArray { Count: > 0 }, $"no error for {field}: {problem.ToJsonString()}");

    [Theory]
    [InlineData("orders?page=999999999999")]
    [InlineData("orders?page=0")]
    [InlineData("orders?page=many")]
    [InlineData("orders?updatedSince=yesterday")]
    [InlineData("actions?page=0")]
    [InlineData("errors?page=100001")]
    [InlineData("dead-letters?page=-1")]
    [InlineData("notifications?page=0")]
    [InlineData("operator-actions?page=many")]
    [InlineData("unrecognised?page=0")]
    public async Task Should_name_a_query_value_it_cannot_use(string query)
    {
        var problem = await ProblemAsync(await pipeline.Operations.GetAsync(query), HttpStatusCode.BadRequest);
        AssertField(problem, query.Split('?')[1].Split('=')[0]);
    }

    [Theory]
    [InlineData("actions?state=closed", "state")]
    [InlineData("dead-letters?state=gone", "state")]
    [InlineData("notifications?state=lost", "state")]
    public async Task Should_name_a_filter_value_it_does_not_know(string query, string field) =>
        AssertField(await ProblemAsync(await pipeline.Operations.GetAsync(query), HttpStatusCode.BadRequest), field);

    [Fact]
    public async Task Should_name_the_body_when_it_is_not_json()
    {
        using var content = new StringContent("this is not json", Encoding.UTF8, "application/json");
        var problem = await ProblemAsync(await pipeline.Operations.PostAsync($"orders/PROVIDE_ORDER/{Samples.NewEntityId()}/retry", content),
            HttpStatusCode.BadRequest);
        AssertField(problem, "body");
    }

    [Fact]
    public async Task Should_name_a_body_field_of_the_wrong_type()
    {
        var problem = await ProblemAsync(await pipeline.Operations.PostAsJsonAsync($"orders/PROVIDE_ORDER/{Samples.NewEntityId()}/retry",
            new JsonObject { ["reason"] = "r", ["kciId"] = "not-a-uuid" }), HttpStatusCode.BadRequest);
        AssertField(problem, "kciId");
    }

    [Fact]
    public async Task Should_name_a_missing_reason()
    {
        var problem = await ProblemAsync(await pipeline.Operations.PostAsJsonAsync($"actions/{Guid.NewGuid()}/resolve", new JsonObject()),
            HttpStatusCode.BadRequest);
        AssertField(problem, "reason");
    }

    [Theory]
    [InlineData("orders/PROVIDE_ORDER/1")]
    [InlineData("orders/PROVIDE_ORDER/1/kcis")]
    [InlineData("no-such-route")]
    public async Task Should_answer_what_does_not_exist_with_a_problem(string path) =>
        await ProblemAsync(await pipeline.Operations.GetAsync(path), HttpStatusCode.NotFound);

    [Fact]
    public async Task Should_answer_an_unknown_action_or_dead_letter_with_a_problem()
    {
        await ProblemAsync(await pipeline.Operations.PostAsJsonAsync($"actions/{Guid.NewGuid()}/resolve", new JsonObject { ["reason"] = "r" }),
            HttpStatusCode.NotFound);
        await ProblemAsync(await pipeline.Operations.PostAsJsonAsync("dead-letters/999999999/replay", new JsonObject { ["reason"] = "r" }),
            HttpStatusCode.NotFound);
    }
}
