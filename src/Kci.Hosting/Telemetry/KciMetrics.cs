using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Kci.Hosting.Telemetry;

/// <summary>
/// The product's own instruments (meter <c>Kci</c>), next to MassTransit's, Npgsql's and ASP.NET Core's; exported at
/// <c>GET /metrics</c> (docs/operations.md lists them). Labels are low-cardinality only: supplier, entity type, reason,
/// queue, kind, outcome; never an order or KCI id. Supplier and entity type come from the gateway, so each keeps its
/// first <see cref="LabelGuard.MaxValues"/> values and counts the rest as <c>other</c>.
/// </summary>
public sealed class KciMetrics
{
    public const string MeterName = "Kci";
    public const string HoldDuration = "kci.hold.duration";
    public const string EndToEndDuration = "kci.end_to_end.duration";

    /// <summary>Histogram buckets in seconds, from a busy moment (10 ms) to a long gap (an hour).</summary>
    public static readonly double[] DurationBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private readonly LabelGuard _suppliers = new();
    private readonly LabelGuard _entityTypes = new();

    public KciMetrics(IMeterFactory meterFactory, KciGauges gauges)
    {
        var meter = meterFactory.Create(MeterName);
        Received = meter.CreateCounter<long>("kci.received", description: "KCIs accepted by the ingress (answered 204)");
        Rejected = meter.CreateCounter<long>("kci.rejected", description: "Requests answered with an error");
        Released = meter.CreateCounter<long>("kci.released", description: "KCIs released by the sequencer to Handlers");
        Gaps = meter.CreateCounter<long>("kci.gaps", description: "Sequence numbers skipped after the gap timeout");
        Recovered = meter.CreateCounter<long>("kci.recovered", description: "Missing KCIs recovered from the gateway's order read");
        GatewayReads = meter.CreateCounter<long>("kci.gateway.reads",
            description: "Reads of the gateway's orders for gap recovery, by outcome (found, not_found, unavailable)");
        Handled = meter.CreateCounter<long>("kci.handled", description: "KCIs handled (recorded by Handlers)");
        Late = meter.CreateCounter<long>("kci.late", description: "KCIs handled after their number had been skipped as a gap");
        HandlingFailures = meter.CreateCounter<long>("kci.handling_failures", description: "Error KCIs and handling failures");
        Hold = meter.CreateHistogram<double>(HoldDuration, "s", "From the ingress's receipt of a KCI to its release by the sequencer");
        EndToEnd = meter.CreateHistogram<double>(EndToEndDuration, "s", "From the gateway's deliveredOn to the KCI handled");

        meter.CreateObservableGauge("kci.orders.waiting", () => gauges.Waiting.Select(w => new Measurement<long>(w.Orders, Reason(w.Reason))),
            "{order}", "Orders waiting, by reason (gap, blocked, parked, dead-letter, acknowledgement for over 10 s)");
        meter.CreateObservableGauge("kci.orders.oldest_wait", () => gauges.Waiting.Select(w => new Measurement<double>(w.OldestSeconds, Reason(w.Reason))),
            "s", "How long the longest-waiting order of each reason has waited");
        meter.CreateObservableGauge("kci.dead_letters", () => gauges.DeadLetters.Select(d => new Measurement<long>(d.Count, new KeyValuePair<string, object?>("queue", d.Queue))),
            "{message}", "Dead-lettered messages waiting for an operator, by queue");
        meter.CreateObservableGauge("kci.outbox.backlog", () => gauges.Outbox is { } o ? [new Measurement<long>(o.Backlog)] : Array.Empty<Measurement<long>>(),
            "{message}", "Outbox rows not sent within the sweep delay");
        meter.CreateObservableGauge("kci.outbox.oldest", () => gauges.Outbox is { } o ? [new Measurement<double>(o.OldestSeconds)] : Array.Empty<Measurement<double>>(),
            "s", "Age of the oldest outbox row");
        meter.CreateObservableGauge("kci.endpoint.consuming", () => gauges.Endpoints.Select(e => new Measurement<int>(e.Consuming ? 1 : 0, new KeyValuePair<string, object?>("queue", e.Queue))),
            description: "1 while the receive endpoint has consumers on its queue, 0 while it has none");
    }

    public Counter<long> Received { get; }
    public Counter<long> Rejected { get; }
    public Counter<long> Released { get; }
    public Counter<long> Gaps { get; }
    public Counter<long> Recovered { get; }
    public Counter<long> GatewayReads { get; }
    public Counter<long> Handled { get; }
    public Counter<long> Late { get; }
    public Counter<long> HandlingFailures { get; }
    public Histogram<double> Hold { get; }
    public Histogram<double> EndToEnd { get; }

    /// <summary>The <c>supplier</c> label of a value from the gateway.</summary>
    public KeyValuePair<string, object?> Supplier(string supplier) => new("supplier", _suppliers.Of(supplier));

    /// <summary>The <c>entity_type</c> label of a value from the gateway.</summary>
    public KeyValuePair<string, object?> EntityType(string entityType) => new("entity_type", _entityTypes.Of(entityType));

    private static KeyValuePair<string, object?> Reason(string reason) => new("reason", reason);
}

/// <summary>Keeps a label's cardinality bounded: the first <see cref="MaxValues"/> values pass, later new ones read <c>other</c>.</summary>
public sealed class LabelGuard
{
    public const int MaxValues = 50;
    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.Ordinal);

    public string Of(string value)
    {
        if (_values.TryGetValue(value, out var known))
            return known;
        if (_values.Count >= MaxValues)
            return "other";
        return _values.GetOrAdd(value, value);
    }
}

/// <summary>
/// What the gauges report: snapshots that the services' refreshers replace every few seconds (the database is never
/// queried while Prometheus scrapes). Empty until a refresher ran, so a service reports only what it knows.
/// </summary>
public sealed class KciGauges
{
    public sealed record WaitingOrders(string Reason, long Orders, double OldestSeconds);
    public sealed record QueueCount(string Queue, long Count);
    public sealed record OutboxState(long Backlog, double OldestSeconds);
    public sealed record EndpointState(string Queue, bool Consuming);

    public IReadOnlyList<WaitingOrders> Waiting { get; set; } = [];
    public IReadOnlyList<QueueCount> DeadLetters { get; set; } = [];
    public OutboxState? Outbox { get; set; }
    public IReadOnlyList<EndpointState> Endpoints { get; set; } = [];
}
