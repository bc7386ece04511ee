using System.Diagnostics.Metrics;

namespace Kci.Hosting.Telemetry;

/// <summary>The product's own instruments (meter <c>Kci</c>), next to MassTransit's.</summary>
public sealed class KciMetrics
{
    public const string MeterName = "Kci";

    public KciMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        Received = meter.CreateCounter<long>("kci.received", description: "KCIs accepted by the ingress");
        Rejected = meter.CreateCounter<long>("kci.rejected", description: "Requests answered with an error");
        Released = meter.CreateCounter<long>("kci.released", description: "KCIs released by the sequencer");
        Gaps = meter.CreateCounter<long>("kci.gaps", description: "Sequence numbers skipped after the gap timeout");
        Recovered = meter.CreateCounter<long>("kci.recovered", description: "Missing KCIs recovered from the gateway's order read");
        GatewayReads = meter.CreateCounter<long>("kci.gateway.reads",
            description: "Reads of the gateway's orders for gap recovery, by outcome (found, not_found, unavailable, refused)");
        Handled = meter.CreateCounter<long>("kci.handled", description: "KCIs handled");
        HandlingFailures = meter.CreateCounter<long>("kci.handling_failures", description: "Error KCIs and handling failures");
    }

    public Counter<long> Received { get; }
    public Counter<long> Rejected { get; }
    public Counter<long> Released { get; }
    public Counter<long> Gaps { get; }
    public Counter<long> Recovered { get; }
    public Counter<long> GatewayReads { get; }
    public Counter<long> Handled { get; }
    public Counter<long> HandlingFailures { get; }
}
