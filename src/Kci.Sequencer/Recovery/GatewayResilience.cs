using System.Net;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Kci.Sequencer.Recovery;

/// <summary>
/// The Polly pipeline around every call to the gateway's Tenant API (one for the process, so the circuit breaker's state
/// outlives the HTTP handlers that the client factory renews), outermost first:
/// <list type="number">
/// <item>a total timeout (<see cref="GatewayOptions.TotalTimeout"/>);</item>
/// <item>retries (<see cref="GatewayOptions.MaxRetries"/>) of connection failures, timeouts, 408, 429 and 5xx, each after
/// the pause <c>Retry-After</c> asks for (at most 30 s), or else an exponential pause with jitter;</item>
/// <item>a circuit breaker: when at least half of 10 or more attempts in 30 s failed, no call goes out for
/// <see cref="GatewayOptions.BreakDuration"/>, and one trial call decides whether it closes again;</item>
/// <item>a timeout per attempt (<see cref="GatewayOptions.AttemptTimeout"/>).</item>
/// </list>
/// </summary>
public sealed class GatewayResilience
{
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromSeconds(30);
    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    public GatewayResilience(IOptions<GatewayOptions> options, TimeProvider clock)
    {
        var settings = options.Value;
        var failed = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(IsTransient);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock }.AddTimeout(settings.TotalTimeout);
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = failed,
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose(); // the answer that is retried is not read
                    return default;
                },
            });
        }
        Pipeline = builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = failed,
                FailureRatio = 0.5,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = settings.BreakDuration,
            })
            .AddTimeout(settings.AttemptTimeout)
            .Build();
    }


    /// <summary>Worth another try: the gateway (or the supplier behind it) was busy or failed, not our request.</summary>
    internal static bool IsTransient(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;

    /// <summary>The pause the gateway asked for, within reason; null lets the exponential backoff decide.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (delay is not { } wait)
            return null;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LongestRetryAfter ? LongestRetryAfter : wait;
    }
}

/// <summary>Runs each request of <see cref="GatewayClient"/>'s <see cref="HttpClient"/> through <see cref="GatewayResilience"/>.</summary>
public sealed class GatewayResilienceHandler(GatewayResilience resilience) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        await resilience.Pipeline.ExecuteAsync(async token => await base.SendAsync(request, token), cancellationToken);
}
