using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Kci.Hosting.Messaging;

/// <summary>
/// Knows whether each of the service's receive endpoints really consumes, and brings back one that does not.
/// <para>
/// MassTransit reports an endpoint's state through <see cref="IReceiveEndpointObserver"/>, but after a broker restart an
/// endpoint can stay without a consumer for minutes while the bus still says Healthy (seen here: stop_app and start_app
/// under load left <c>kci-sequencer-control</c> or <c>kci-informational</c> with 0 consumers). So this monitor also asks the
/// broker, over a small connection of its own, how many consumers each queue has (a passive declare). An endpoint counts
/// as consuming when MassTransit last reported it Ready and the broker counts at least one consumer on its queue.
/// </para>
/// <para>
/// While the broker answers, an endpoint that has not been consuming for <see cref="RabbitMqOptions.EndpointRecoveryAfter"/>
/// is stopped and started again; if that does not bring it back within the same time, the whole bus is restarted.
/// Readiness (<see cref="CheckHealthAsync"/>) is Unhealthy while the broker does not answer this monitor or any endpoint
/// is not consuming; for a service without receive endpoints (the ingress) it says whether the broker answers.
/// </para>
/// </summary>
public sealed class EndpointMonitor(IOptions<RabbitMqOptions> options, IServiceProvider services, TimeProvider clock, ILogger<EndpointMonitor> logger)
    : BackgroundService, IReceiveEndpointObserver, IHealthCheck
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, EndpointState> _endpoints = new(StringComparer.Ordinal);
    private IConnection? _connection;
    private DateTimeOffset? _lastBusRestart;

    /// <summary>Declares a queue this service consumes; only these are watched.</summary>
    public void Expect(string queue) => _endpoints.TryAdd(queue, new EndpointState(queue));

    /// <summary>Whether the broker answered the last round of checks.</summary>
    public bool BrokerReachable { get; private set; }

    /// <summary>Raised when every watched endpoint consumes again after at least one did not.</summary>
    public event Action? ConsumingAgain;

    /// <summary>The broker answers and every watched endpoint consumes (as of the last round, every 2 s).</summary>
    public bool Consuming => BrokerReachable && _endpoints.Values.All(e => e.IsConsuming);

    public Task Ready(ReceiveEndpointReady ready) => Update(ready.InputAddress, e => { e.Ready = true; e.Endpoint = ready.ReceiveEndpoint; });

    public Task Stopping(ReceiveEndpointStopping stopping) => Update(stopping.InputAddress, e => e.Ready = false);

    public Task Completed(ReceiveEndpointCompleted completed) => Update(completed.InputAddress, e => e.Ready = false);

    public Task Faulted(ReceiveEndpointFaulted faulted) => Update(faulted.InputAddress, e => e.Ready = false);

    private Task Update(Uri inputAddress, Action<EndpointState> change)
    {
        if (_endpoints.TryGetValue(QueueOf(inputAddress), out var state))
        {
            lock (state)
                change(state);
        }
        return Task.CompletedTask;
    }

    private static string QueueOf(Uri address) => address.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!BrokerReachable)
            return Task.FromResult(HealthCheckResult.Unhealthy(_endpoints.IsEmpty
                ? "broker unreachable"
                : $"broker unreachable: {string.Join(", ", _endpoints.Keys.Order(StringComparer.Ordinal))}"));
        if (_endpoints.IsEmpty)
            return Task.FromResult(HealthCheckResult.Healthy("broker answers; no receive endpoints"));
        var idle = _endpoints.Values.Where(e => !e.IsConsuming).Select(e => e.Queue).Order(StringComparer.Ordinal).ToList();
        if (idle.Count == 0)
            return Task.FromResult(HealthCheckResult.Healthy($"{_endpoints.Count} endpoints consuming"));
        return Task.FromResult(HealthCheckResult.Unhealthy($"not consuming: {string.Join(", ", idle)}"));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wasAllConsuming = true;
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CountConsumersAsync(stoppingToken);
                var now = clock.GetUtcNow();
                foreach (var endpoint in _endpoints.Values)
                    endpoint.Observe(now, BrokerReachable);
                if (services.GetService<Telemetry.KciGauges>() is { } gauges) // kci.endpoint.consuming
                    gauges.Endpoints = [.. _endpoints.Values.OrderBy(e => e.Queue, StringComparer.Ordinal)
                        .Select(e => new Telemetry.KciGauges.EndpointState(e.Queue, e.IsConsuming))];

                var allConsuming = _endpoints.Values.All(e => e.IsConsuming);
                if (allConsuming && !wasAllConsuming)
                {
                    HostingLog.EndpointsConsuming(logger, _endpoints.Count);
                    ConsumingAgain?.Invoke();
                }
                wasAllConsuming = allConsuming;
                if (BrokerReachable)
                    await RecoverAsync(now, stoppingToken);
                await Task.Delay(Interval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                HostingLog.MonitorRoundFailed(logger, ex);
                await Task.Delay(Interval, clock, stoppingToken);
            }
        }
        if (_connection is not null)
            await _connection.DisposeAsync();
    }

    /// <summary>Asks the broker how many consumers each watched queue has; a queue that does not exist yet has none.</summary>
    private async Task CountConsumersAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_connection is not { IsOpen: true })
            {
                if (_connection is not null)
                    await _connection.DisposeAsync();
                _connection = await options.Value.ConnectionFactory().CreateConnectionAsync($"kci-endpoint-monitor-{Environment.ProcessId}", cancellationToken);
            }
            // A channel opened and closed: the broker answers (a service without endpoints, the ingress, has no other check).
            await (await _connection.CreateChannelAsync(cancellationToken: cancellationToken)).DisposeAsync();
            foreach (var endpoint in _endpoints.Values)
            {
                await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
                try
                {
                    var queue = await channel.QueueDeclarePassiveAsync(endpoint.Queue, cancellationToken);
                    endpoint.BrokerConsumers = (int)queue.ConsumerCount;
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
                {
                    endpoint.BrokerConsumers = 0; // 404: not declared yet
                }
            }
            BrokerReachable = true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            BrokerReachable = false;
            foreach (var endpoint in _endpoints.Values)
                endpoint.BrokerConsumers = null;
            if (_connection is not null)
            {
                try { await _connection.DisposeAsync(); } catch (Exception) { /* already broken */ }
                _connection = null;
            }
        }
    }

    private async Task RecoverAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var after = options.Value.EndpointRecoveryAfter;
        var stuck = _endpoints.Values.Where(e => e.NotConsumingSince is { } since && now - since >= after).ToList();
        if (stuck.Count == 0)
            return;

        // First the endpoint alone; if a restart of it did not help within the same time, the whole bus.
        var restartBus = stuck.Any(e => e.RestartedAt is { } at && now - at >= after) && (_lastBusRestart is null || now - _lastBusRestart >= after);
        if (restartBus)
        {
            HostingLog.RestartingBus(logger, string.Join(", ", stuck.Select(e => e.Queue)));
            _lastBusRestart = now;
            var bus = services.GetRequiredService<IBusControl>();
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(TimeSpan.FromSeconds(60));
            await bus.StopAsync(bound.Token);
            await bus.StartAsync(bound.Token);
            foreach (var endpoint in _endpoints.Values)
                endpoint.RestartedAt = null;
            return;
        }

        foreach (var endpoint in stuck.Where(e => e.RestartedAt is null && e.Endpoint is not null))
        {
            HostingLog.RestartingEndpoint(logger, endpoint.Queue, (now - endpoint.NotConsumingSince!.Value).TotalSeconds);
            endpoint.RestartedAt = now;
            try
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bound.CancelAfter(TimeSpan.FromSeconds(30));
                await endpoint.Endpoint!.Stop(bound.Token);
                var handle = endpoint.Endpoint.Start(bound.Token);
                await handle.Ready.WaitAsync(bound.Token);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                HostingLog.EndpointRestartFailed(logger, ex, endpoint.Queue); // the bus restart comes next
            }
        }
    }

    private sealed class EndpointState(string queue)
    {
        public string Queue { get; } = queue;
        public bool Ready { get; set; }
        public IReceiveEndpoint? Endpoint { get; set; }
        public int? BrokerConsumers { get; set; }
        public DateTimeOffset? NotConsumingSince { get; private set; }
        public DateTimeOffset? RestartedAt { get; set; }

        public bool IsConsuming => Ready && BrokerConsumers > 0;

        /// <summary>The clock of an endpoint that does not consume runs only while the broker answers: until then, reconnecting is MassTransit's job.</summary>
        public void Observe(DateTimeOffset now, bool brokerReachable)
        {
            if (IsConsuming || !brokerReachable)
            {
                NotConsumingSince = null;
                RestartedAt = null;
            }
            else
            {
                NotConsumingSince ??= now;
            }
        }
    }
}
