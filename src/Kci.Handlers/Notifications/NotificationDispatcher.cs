using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Kci.Handlers.Persistence;
using Kci.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Kci.Handlers.Notifications;

/// <summary>
/// Posts stored notifications to their subscribers through a Polly pipeline per subscriber: a timeout per
/// attempt, jittered exponential retry, and a circuit breaker so a subscriber that is down is left alone for a
/// while. A delivery that still fails is kept (state failed) and tried again later; nothing here ever holds up
/// an order's sequence.
/// </summary>
public sealed class NotificationDispatcher(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    IOptionsMonitor<NotificationOptions> options,
    TimeProvider clock,
    ILogger<NotificationDispatcher> logger) : RepeatingService(clock, logger)
{
    public const string HttpClientName = "notifications";
    private readonly ConcurrentDictionary<string, ResiliencePipeline> _pipelines = new();

    protected override TimeSpan Interval => options.CurrentValue.PollInterval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (options.CurrentValue.Subscriptions.Count == 0)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HandlersDb>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = Clock.GetUtcNow();
        var due = await db.Notifications
            .FromSql($"SELECT * FROM handlers.notification_deliveries WHERE state <> 'delivered' AND next_attempt_at <= {now} ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);

        foreach (var delivery in due)
        {
            var subscription = options.CurrentValue.Subscriptions.Find(s => s.Name == delivery.Subscription);
            if (subscription is null)
                continue; // its subscription was removed; kept for the record
            delivery.Attempts++;
            try
            {
                await Pipeline(subscription).ExecuteAsync(async token => await PostAsync(subscription, delivery, token), cancellationToken);
                delivery.State = "delivered";
                delivery.DeliveredAt = Clock.GetUtcNow();
                delivery.LastError = null;
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or TaskCanceledException
                                           && !cancellationToken.IsCancellationRequested)
            {
                var rounds = Math.Min(delivery.Attempts, 120);
                delivery.State = "failed";
                delivery.LastError = ex is BrokenCircuitException ? "circuit open: the subscriber failed repeatedly" : ex.GetType().Name + ": " + ex.Message;
                delivery.NextAttemptAt = Clock.GetUtcNow() + TimeSpan.FromTicks(Math.Min(options.CurrentValue.RedeliveryInterval.Ticks * rounds, TimeSpan.FromHours(1).Ticks));
                Log.NotificationFailed(logger, delivery.Subscription, delivery.KciId, delivery.Attempts, delivery.LastError);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
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
