using System.Diagnostics;

namespace Kci.Hosting.Telemetry;

/// <summary>
/// Keeps a KCI's trace whole across the hops where the message that carries it is not the one that caused the work: a
/// batch transaction (many messages, one transaction), a KCI held and released later by another message, a run of KCIs
/// in one message, and the outbox. Each KCI's trace context (the W3C id of the activity that received it) is kept with
/// it, and whatever is sent or done for that KCI later starts a span under it (docs/operations.md, "Traces").
/// Costs nothing while no tracer listens: no activity is created, and no context is kept.
/// </summary>
public static class KciTracing
{
    public const string SourceName = "Kci";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>The W3C trace context of the activity now (the message or request being handled), or null.</summary>
    public static string? Current() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    /// <summary>
    /// Starts <paramref name="name"/> under <paramref name="traceParent"/> (a W3C id kept with a message or a KCI) and makes
    /// it current, so a send inside it propagates that trace; null (and nothing started) without a trace or a listener.
    /// </summary>
    public static Activity? StartUnder(string name, ActivityKind kind, string? traceParent)
    {
        if (traceParent is null || !ActivityContext.TryParse(traceParent, null, out var parent))
            return null;
        return Source.StartActivity(name, kind, parent);
    }
}

/// <summary>
/// The trace context each message of a batch transaction arrived with (<see cref="Messaging.BatchedConsumer{T}"/> takes it
/// from MassTransit's consume activity), for the transaction to keep with what the message causes. Scoped: one per batch.
/// </summary>
public sealed class MessageTraces
{
    private readonly Dictionary<object, string> _byMessage = new(ReferenceEqualityComparer.Instance);

    public void Add(object message, string? traceParent)
    {
        if (traceParent is not null)
            _byMessage[message] = traceParent;
    }

    public string? Of(object message) => _byMessage.GetValueOrDefault(message);
}
