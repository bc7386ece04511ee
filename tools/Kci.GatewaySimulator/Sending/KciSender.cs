using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Kci.GatewaySimulator.Journeys;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Kci.GatewaySimulator.Sending;

/// <summary>
/// POSTs KCIs as the gateway does: bearer token, a new X-Request-ID per call, the order's X-Conversation-ID.
/// 5xx, 503 and timeouts are retried with jittered exponential backoff, waiting at least what Retry-After asks;
/// a 4xx is final.
/// </summary>
public sealed class KciSender
{
    private readonly HttpClient _http;
    private readonly TokenSource _tokens;
    private readonly RunStats _stats;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public KciSender(HttpClient http, TokenSource tokens, RunStats stats, SimulatorOptions options)
    {
        _http = http;
        _tokens = tokens;
        _stats = stats;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(15),
                ShouldHandle = args => ValueTask.FromResult(options.MaxRetries > 0 && IsTransient(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    _stats.Retried();
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddTimeout(options.RequestTimeout)
            .Build();
    }

    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout,
        _ => false,
    };

    /// <summary>The wait a response asks for; null lets the backoff decide (Polly then uses its own delay).</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response?.Headers.RetryAfter is not { } retryAfter)
            return null;
        var wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is { } w && w > TimeSpan.Zero ? w + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250)) : null;
    }

    /// <summary>Sends one KCI until it is taken or can't be; true when the ingress answered 204.</summary>
    public async Task<bool> SendAsync(PlannedOrder order, PlannedSend send, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _pipeline.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "kcis") { Content = new ByteArrayContent(send.Kci.Body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
                request.Headers.Add("X-Conversation-ID", order.ConversationId);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _tokens.GetAsync(token));
                _stats.Attempted();
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var answer = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
                    _stats.Answered((int)answer.StatusCode, await ErrorCodeAsync(answer, token), Stopwatch.GetElapsedTime(started));
                    return answer;
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    _stats.NoAnswer(e is HttpRequestException ? "no connection" : "timeout");
                    throw;
                }
            }, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NoContent)
                return true;
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException)
        {
            // counted above; the retries are used up
        }
        _stats.Failure();
        return false;
    }

    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.NoContent)
            return null;
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            using var json = JsonDocument.Parse(text);
            return json.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
