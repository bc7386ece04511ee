using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Kci.Handlers.Persistence;
using Kci.Hosting;
using Kci.Hosting.Resilience;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Kci.Handlers.Notifications;

/// <summary>
/// Posts stored notifications to their subscribers through a Polly pipeline per subscriber: a timeout per attempt,
/// jittered exponential retry, and a circuit breaker so a subscriber that is down is left alone for a while.
/// <para>
/// Each subscriber is served on its own, side by side, so one that is slow or down never holds up another; and each
/// delivery is its own transaction (its row locked with <c>FOR UPDATE SKIP LOCKED</c>, posted, marked, committed), so a
/// failure of one, whatever its kind, is recorded on that delivery alone and never re-posts what was delivered. A failed
/// delivery is tried again later with a growing pause (database clock), and is listed at <c>/notifications?state=failed</c>.
/// Nothing here ever holds up an order's sequence.
/// </para>
/// </summary>
public sealed class NotificationDispatcher(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    IOptionsMonitor<NotificationOptions> options,
    TimeProvider clock,
    DatabaseGate gate,
    ILogger<NotificationDispatcher> logger) : RepeatingService(clock, logger, gate)
{
    public const string HttpClientName = "notifications";
    private const int PerSubscriberPerRound = 20;
    private readonly ConcurrentDictionary<string, ResiliencePipeline> _pipelines = new();

    protected override TimeSpan Interval => options.CurrentValue.PollInterval;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(options.CurrentValue.Subscriptions.Select(s => DeliverDueAsync(s, cancellationToken)));

    private async Task DeliverDueAsync(NotificationSubscription subscription, CancellationToken cancellationToken)
    {
        for (var i = 0; i < PerSubscriberPerRound; i++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HandlersDb>();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var delivery = await db.Notifications
                .FromSql($"""
                    SELECT * FROM handlers.notification_deliveries
                    WHERE subscription = {subscription.Name} AND state <> 'delivered' AND next_attempt_at <= now()
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """)
                .AsNoTracking().SingleOrDefaultAsync(cancellationToken);
            if (delivery is null)
                return;

            string? error = null;
            try
            {
                await Pipeline(subscription).ExecuteAsync(async token => await PostAsync(subscription, delivery, token), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                error = ex is BrokenCircuitException ? "circuit open: the subscriber failed repeatedly" : $"{ex.GetType().Name}: {ex.Message}";
            }

            var attempts = delivery.Attempts + 1;
            if (error is null)
            {
                await db.Database.ExecuteSqlAsync($"""
                    UPDATE handlers.notification_deliveries SET state = 'delivered', attempts = {attempts}, delivered_at = now(), last_error = NULL
                    WHERE id = {delivery.Id}
                    """, cancellationToken);
            }
            else
            {
                var pause = TimeSpan.FromTicks(Math.Min(options.CurrentValue.RedeliveryInterval.Ticks * Math.Min(attempts, 120), TimeSpan.FromHours(1).Ticks));
                var lastError = error.Length > 1000 ? error[..1000] : error;
                await db.Database.ExecuteSqlAsync($"""
                    UPDATE handlers.notification_deliveries SET state = 'failed', attempts = {attempts}, last_error = {lastError},
                        next_attempt_at = now() + {pause}
                    WHERE id = {delivery.Id}
                    """, cancellationToken);
                Log.NotificationFailed(logger, delivery.Subscription, delivery.KciId, attempts, lastError);
            }
            await transaction.CommitAsync(cancellationToken);
        }
    }

    private async Task PostAsync(NotificationSubscription subscription, NotificationDelivery delivery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Kci-Delivery", delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (subscription.AuthorizationHeader is { } authorization)
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private ResiliencePipeline Pipeline(NotificationSubscription subscription) => _pipelines.GetOrAdd(subscription.Name, _ =>
    {
        var o = options.CurrentValue;
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = o.AttemptsPerRound - 1,
                Delay = o.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>(),
                FailureRatio = 1.0,
                MinimumThroughput = o.BreakAfterFailures,
                SamplingDuration = TimeSpan.FromMinutes(1),
                BreakDuration = o.BreakDuration,
            })
            .AddTimeout(o.Timeout)
            .Build();
    });
}
