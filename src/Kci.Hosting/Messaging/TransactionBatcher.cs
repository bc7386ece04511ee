using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Kci.Hosting.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kci.Hosting.Messaging;

/// <summary>What one transaction does for a batch of messages of one kind (resolved in a scope of its own per batch).</summary>
public interface IBatchTransaction<in T>
{
    Task RunAsync(IReadOnlyList<T> messages, CancellationToken cancellationToken);
}

/// <summary>
/// Group commit for the hot path. Each consumer hands its message in and waits; a worker takes every message handed in
/// meanwhile (up to <see cref="BatchingOptions.MessageLimit"/>) and runs them in one transaction. A lone message goes at once,
/// while under load the batches grow by themselves to what arrived during the previous transaction: no timer to tune, and
/// the round trips, statements and commits per message fall as the backlog grows (docs/performance.md).
/// </summary>
/// <remarks>
/// <para>Each message keeps its own consume: its own retry policy, database gate and fault, and its ack only after its
/// batch committed. A batch that fails for a reason no retry cures (a bug, a value the database refuses) is run again
/// message by message, so only the message at fault faults, with its own exception. A fault a retry cures (the database
/// away, contention) fails each message of the batch, and each is retried by its endpoint's policy
/// (<see cref="RetryExtensions.UseKciRetry"/>): every transaction deduplicates by the KCI's id, so nothing is repeated.</para>
/// <para>Registered before the bus, so it stops after the bus: no consume waits on a worker that has gone.</para>
/// </remarks>
public sealed class TransactionBatcher<T>(IServiceScopeFactory scopes, IOptions<BatchingOptions> options, ILogger<TransactionBatcher<T>> logger)
    : BackgroundService
    where T : class
{
    /// <summary>Meter <c>Kci.Batches</c>: how many messages each batch transaction held, by message type.</summary>
    public const string MeterName = "Kci.Batches";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<int> Size = Meter.CreateHistogram<int>("kci.batch.size", "{message}", "Messages per batch transaction");
    private static readonly KeyValuePair<string, object?> MessageType = new("message_type", typeof(T).Name);

    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>();

    /// <summary>Completes once <paramref name="message"/>'s batch committed; throws what failed it.</summary>
    public Task SubmitAsync(T message, CancellationToken cancellationToken) => SubmitAsync(message, null, cancellationToken);

    /// <summary>As <see cref="SubmitAsync(T, CancellationToken)"/>, with the trace context the message arrived with.</summary>
    public Task SubmitAsync(T message, string? traceParent, CancellationToken cancellationToken)
    {
        var pending = new Pending(message, traceParent, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending))
            throw new OperationCanceledException("The service is stopping", cancellationToken);
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.ConcurrencyLimit).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(options.Value.MessageLimit);
        try
        {
            while (await _pending.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < options.Value.MessageLimit && _pending.Reader.TryRead(out var pending))
                    batch.Add(pending);
                if (batch.Count > 0)
                    await RunAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Whatever still waits is cancelled by its own consume, and its message goes back to its queue.
        }
    }

    private async Task RunAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        Size.Record(batch.Count, MessageType);
        try
        {
            await TransactAsync(batch, cancellationToken);
            batch.ForEach(p => p.Done.TrySetResult());
            return;
        }
        catch (Exception ex) when (batch.Count > 1 && !TransientFaults.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
        {
            HostingLog.BatchSplit(logger, typeof(T).Name, batch.Count, ex.GetType().Name);
        }
        catch (Exception ex)
        {
            batch.ForEach(p => p.Done.TrySetException(ex));
            return;
        }

        foreach (var pending in batch)
        {
            try
            {
                await TransactAsync([pending], cancellationToken);
                pending.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                pending.Done.TrySetException(ex);
            }
        }
    }

    private async Task TransactAsync(IReadOnlyList<Pending> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (scope.ServiceProvider.GetService<Telemetry.MessageTraces>() is { } traces)
        {
            foreach (var pending in batch)
                traces.Add(pending.Message, pending.TraceParent);
        }
        await scope.ServiceProvider.GetRequiredService<IBatchTransaction<T>>()
            .RunAsync([.. batch.Select(p => p.Message)], cancellationToken);
    }

    private sealed record Pending(T Message, string? TraceParent, TaskCompletionSource Done);
}

public static class TransactionBatcherExtensions
{
    /// <summary>
    /// The batcher of <typeparamref name="T"/> and what its transaction runs, <typeparamref name="TTransaction"/>; the endpoint's
    /// consumer is <see cref="BatchedConsumer{T}"/>, which hands the messages in. Call before <see cref="BusExtensions.AddKciBus"/>.
    /// </summary>
    public static IServiceCollection AddTransactionBatcher<T, TTransaction>(this IServiceCollection services)
        where T : class
        where TTransaction : class, IBatchTransaction<T>
    {
        services.AddScoped<IBatchTransaction<T>, TTransaction>();
        services.TryAddScoped<Telemetry.MessageTraces>();
        services.AddSingleton<TransactionBatcher<T>>();
        services.AddHostedService(provider => provider.GetRequiredService<TransactionBatcher<T>>());
        return services;
    }
}

/// <summary>The consumer of a batched message type: it hands each message to its <see cref="TransactionBatcher{T}"/> and waits.</summary>
public sealed class BatchedConsumer<T>(TransactionBatcher<T> batcher) : MassTransit.IConsumer<T>
    where T : class
{
    public Task Consume(MassTransit.ConsumeContext<T> context) =>
        batcher.SubmitAsync(context.Message, Telemetry.KciTracing.Current(), context.CancellationToken);
}
