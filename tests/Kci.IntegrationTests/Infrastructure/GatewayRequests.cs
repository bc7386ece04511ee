using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>Raw requests to an ingress, for the contract tests: any body, any headers, any credentials.</summary>
public static class GatewayRequests
{
    public static async Task<HttpResponseMessage> PostRawAsync(this ServiceProcess ingress, string? body, string? bearer,
        string? contentType = "application/json", string? requestId = "request-1", string? conversationId = "conversation-1",
        AuthenticationHeaderValue? authorization = null)
    {
        using var http = new HttpClient { BaseAddress = ingress.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "kcis");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }
        if (requestId is not null)
            request.Headers.TryAddWithoutValidation("X-Request-ID", requestId);
        if (conversationId is not null)
            request.Headers.TryAddWithoutValidation("X-Conversation-ID", conversationId);
        request.Headers.Authorization = authorization ?? (bearer is null ? null : new AuthenticationHeaderValue("Bearer", bearer));
        return await http.SendAsync(request);
    }

    /// <summary>Asserts the gateway's error body: exactly <c>{uuid, code, messages[]}</c>, and returns it.</summary>
    public static async Task<JsonObject> AssertErrorBodyAsync(this HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(["code", "messages", "uuid"], body.Select(p => p.Key).Order());
        Assert.True(Guid.TryParse(body["uuid"]!.GetValue<string>(), out _), "uuid should be a UUID");
        Assert.Equal(code, body["code"]!.GetValue<string>());
        Assert.All(body["messages"]!.AsArray(), m => Assert.False(string.IsNullOrWhiteSpace(m!.GetValue<string>())));
        Assert.NotEmpty(body["messages"]!.AsArray());
        return body;
    }
}
