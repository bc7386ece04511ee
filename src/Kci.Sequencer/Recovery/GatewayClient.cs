using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Kci.Hosting;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Kci.Sequencer.Recovery;

/// <summary>What a read of the gateway's order gave.</summary>
public abstract record GatewayRead
{
    /// <summary>The read that was asked, e.g. <c>GET /service-orders/123</c>, for logs and the recovered KCIs' origin.</summary>
    public required string Source { get; init; }

    /// <summary>200: the order, with its <c>updates[]</c>. The caller disposes the document.</summary>
    public sealed record Found(JsonDocument Order) : GatewayRead;

    /// <summary>404: the gateway does not know the order under that read.</summary>
    public sealed record NotFound : GatewayRead;

    /// <summary>The gateway did not answer usefully: refused, timed out, 5xx after the retries, circuit open, no token.</summary>
    public sealed record Unavailable(string Reason) : GatewayRead;

    /// <summary>No read of the Tenant API serves this entity type.</summary>
    public sealed record NoRead : GatewayRead;
}

/// <summary>
/// The gateway's order read (Tenant API v1.17), as a typed <see cref="HttpClient"/>. Its handler chain holds the Polly
/// pipeline (<see cref="GatewayResilience"/>); this adds the bearer token, the gateway's request headers, and one new token
/// when a read is answered 401.
/// </summary>
public sealed class GatewayClient(HttpClient http, GatewayTokens tokens, IOptions<GatewayOptions> options)
{
    /// <summary>
    /// The read for an entity type (docs/gap-recovery.md): Ethernet orders have their own, service problems theirs, and every
    /// other order (provide, modify, cease, unsolicited cease, service test) is a service order.
    /// </summary>
    public static string? PathFor(string entityType, string entityId)
    {
        var id = Uri.EscapeDataString(entityId);
        if (entityType.Length == 0)
            return null;
        if (entityType.Contains("ETHERNET", StringComparison.Ordinal))
            return $"ethernet/service-orders/{id}";
        if (entityType == "SERVICE_PROBLEM")
            return $"service-problems/{id}";
        return $"service-orders/{id}";
    }

    public async Task<GatewayRead> ReadAsync(string entityType, string entityId, string conversationId, string requestId,
        CancellationToken cancellationToken)
    {
        if (PathFor(entityType, entityId) is not { } path)
            return new GatewayRead.NoRead { Source = $"no read for {entityType}" };
        var source = $"GET /{path}";
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var token = await tokens.GetAsync(cancellationToken);
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                request.Headers.Add("X-Request-ID", requestId);
                request.Headers.Add("X-Conversation-ID", conversationId);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.OK:
                        return new GatewayRead.Found(await ParseAsync(response, cancellationToken)) { Source = source };
                    case HttpStatusCode.NotFound:
                        return new GatewayRead.NotFound { Source = source };
                    case HttpStatusCode.Unauthorized when attempt == 1:
                        tokens.Drop(token); // expired or revoked early: one new token, one more try
                        continue;
                    default:
                        return new GatewayRead.Unavailable($"HTTP {(int)response.StatusCode}") { Source = source };
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or GatewayTokenException
                                       or TaskCanceledException or JsonException or InvalidDataException)
        {
            return new GatewayRead.Unavailable(Describe(ex)) { Source = source };
        }
    }

    private async Task<JsonDocument> ParseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxResponseBytes;
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var bytes = await BoundedBody.ReadAsync(stream, response.Content.Headers.ContentLength, max, cancellationToken)
            ?? throw new InvalidDataException($"the order read is larger than {max} bytes");
        var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new InvalidDataException("the order read is not a JSON object");
        }
        return document;
    }

    private static string Describe(Exception ex) => ex switch
    {
        BrokenCircuitException => "circuit open: the gateway failed most recent reads",
        TimeoutRejectedException or TaskCanceledException => "timed out",
        GatewayTokenException token => $"no token: {token.Message}",
        JsonException => "the order read is not valid JSON",
        _ => ex.Message,
    };
}
