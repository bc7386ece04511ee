using Kci.Hosting.Persistence;
using Microsoft.Extensions.Logging;

namespace Kci.Hosting.Resilience;

/// <summary>
/// A circuit breaker for the service's database that holds work back instead of failing it. The first consumer or job
/// that finds the database unreachable closes the gate; from then on every message waits in front of it, unacknowledged
/// (so it stays in RabbitMQ), and one probe (<see cref="DatabaseProbe"/>) asks the database once a second instead of every
/// consumer hammering it. When the probe gets an answer the gate opens and the waiting messages go on, in the order they
/// were delivered. Unlike MassTransit's kill switch, nothing that was delivered is faulted while the breaker trips: a
/// message is either handled or redelivered, never sent to an <c>_error</c> queue because the database was away.
/// </summary>
public sealed class DatabaseGate(TimeProvider clock, ILogger<DatabaseGate> logger)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _open = Opened();

    /// <summary>When the gate closed, or null while it is open.</summary>
    public DateTimeOffset? ClosedSince { get; private set; }

    public bool IsOpen => ClosedSince is null;

    /// <summary>The longest outage seen since the process started, for the operator's eyes.</summary>
    public TimeSpan LongestOutage { get; private set; }

    /// <summary>Raised once the database answers again, with how long it was away.</summary>
    public event Action<TimeSpan>? Reopened;

    /// <summary>Closes the gate if <paramref name="exception"/> says the database is unreachable; true when it did say so.</summary>
    public bool Report(Exception exception)
    {
        if (!TransientFaults.IsUnreachable(exception))
            return false;
        lock (_lock)
        {
            if (ClosedSince is not null)
                return true;
            ClosedSince = clock.GetUtcNow();
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        HostingLog.DatabaseUnreachable(logger, exception.GetType().Name, exception.Message);
        return true;
    }

    /// <summary>Completes at once while the gate is open; otherwise when the database answers again.</summary>
    public Task WaitOpenAsync(CancellationToken cancellationToken)
    {
        var open = _open.Task;
        return open.IsCompleted ? Task.CompletedTask : open.WaitAsync(cancellationToken);
    }

    /// <summary>The probe reached the database.</summary>
    internal void Open()
    {
        TaskCompletionSource opened;
        TimeSpan outage;
        lock (_lock)
        {
            if (ClosedSince is not { } since)
                return;
            outage = clock.GetUtcNow() - since;
            ClosedSince = null;
            LongestOutage = outage > LongestOutage ? outage : LongestOutage;
            opened = _open;
        }
        HostingLog.DatabaseBack(logger, outage.TotalSeconds);
        Reopened?.Invoke(outage); // before the waiting work goes on, so it sees the outage
        opened.TrySetResult();
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }
}
