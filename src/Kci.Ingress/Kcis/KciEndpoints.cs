using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Kci.Hosting;
using Kci.Hosting.Telemetry;
using Kci.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Kci.Hosting.Kcis;

namespace Kci.Ingress.Kcis;

/// <summary><c>POST /kcis</c>: the one endpoint the gateway calls (Tenant Updates API v1.14).</summary>
public static class KciEndpoints
{
    /// <summary>The OpenAPI tag of the endpoint.</summary>
    public const string Tag = "KCIs";

    public static WebApplication MapKciEndpoints(this WebApplication app)
    {
        app.MapPost("/kcis", ReceiveAsync)
            .WithName("ReceiveKci")
            .WithTags(Tag)
            .RequireAuthorization(Auth.AuthExtensions.KciWritePolicy)
            .Produces(StatusCodes.Status204NoContent)
            .Produces<KciError>(StatusCodes.Status400BadRequest)
            .Produces<KciError>(StatusCodes.Status401Unauthorized)
            .Produces(StatusCodes.Status403Forbidden)
            .Produces<KciError>(StatusCodes.Status422UnprocessableEntity)
            .Produces<KciError>(StatusCodes.Status500InternalServerError)
            .Produces(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<NoContent, JsonHttpResult<KciError>, StatusCodeHttpResult>> ReceiveAsync(
        HttpContext http, KciPublisher publisher, IOptions<IngressOptions> options, KciMetrics metrics, TimeProvider clock,
        ILogger<KciPublisher> logger)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = http.Request.Headers["X-Request-ID"].ToString();
        var conversationId = http.Request.Headers["X-Conversation-ID"].ToString();
        var cancellationToken = http.RequestAborted;

        var read = await ReadBodyAsync(http.Request, options.Value.MaxBodyBytes, cancellationToken);
        KciValidation validation;
        if (read.Problem is not null)
            validation = new KciValidation(null, StatusCodes.Status400BadRequest, KciErrorCodes.MalformedRequest, [read.Problem]);
        else
        {
            var headerProblems = KciValidator.CheckHeader("X-Request-ID", requestId)
                .Concat(KciValidator.CheckHeader("X-Conversation-ID", conversationId)).ToList();
            try
            {
                using var document = JsonDocument.Parse(read.Body, new JsonDocumentOptions { MaxDepth = 64 });
                validation = KciValidator.Validate(document.RootElement, headerProblems);
            }
            catch (JsonException)
            {
                validation = new KciValidation(null, StatusCodes.Status400BadRequest, KciErrorCodes.MalformedRequest, ["body: is not valid JSON"]);
            }
        }

        if (validation.Kci is not { } kci)
        {
            var error = KciError.Create(validation.Code!, validation.Problems);
            metrics.Rejected.Add(1);
            Log.Rejected(logger, Safe(requestId), Safe(conversationId), validation.Status, error.Code, error.Uuid,
                string.Join(" | ", error.Messages), Elapsed(started));
            return TypedResults.Json(error, statusCode: validation.Status);
        }

        var message = new KciReceived
        {
            KciId = kci.Id,
            OrderId = NameBasedGuid.ForOrder(kci.Order.EntityType, kci.Order.EntityId),
            Order = kci.Order,
            SequenceNumber = kci.SequenceNumber,
            Supplier = kci.Supplier,
            UpdateType = kci.UpdateType,
            PayloadType = kci.PayloadType,
            ConversationId = conversationId,
            RequestId = requestId,
            ReceivedAt = clock.GetUtcNow(),
            Body = Encoding.UTF8.GetString(read.Body.Span),
        };
        try
        {
            await publisher.PublishAsync(message, cancellationToken);
        }
        catch (BrokerUnavailableException ex)
        {
            Log.BrokerUnavailable(logger, ex, requestId, conversationId, kci.Id, kci.Order.ToString(), kci.SequenceNumber, Elapsed(started));
            http.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        metrics.Received.Add(1, metrics.Supplier(kci.Supplier), metrics.EntityType(kci.Order.EntityType));
        Log.Accepted(logger, requestId, conversationId, kci.Id, kci.Supplier, kci.Order.ToString(), kci.SequenceNumber, Elapsed(started));
        return TypedResults.NoContent();
    }

    private sealed record BodyRead(ReadOnlyMemory<byte> Body, string? Problem);

    private static async Task<BodyRead> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var contentType = request.ContentType;
        if (contentType is null || !IsJson(contentType))
            return new BodyRead(default, "Content-Type: must be application/json");
        if (await BoundedBody.ReadAsync(request.Body, request.ContentLength, maxBytes, cancellationToken) is not { } bytes)
            return new BodyRead(default, $"body: must be at most {maxBytes} bytes");
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(bytes);
        }
        catch (DecoderFallbackException)
        {
            return new BodyRead(default, "body: is not valid UTF-8");
        }
        return new BodyRead(bytes, null);
    }

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    private static double Elapsed(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>Header values are logged only when they passed the header rules: never control characters or huge strings.</summary>
    internal static string Safe(string value) => value.Length <= 200 && !value.Any(char.IsControl) ? value : "(invalid)";

    internal static string SafeHeader(HttpContext http, string name) => Safe(http.Request.Headers[name].ToString());
}
