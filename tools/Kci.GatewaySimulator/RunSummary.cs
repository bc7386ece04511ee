using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kci.GatewaySimulator.GatewayApi;
using Kci.GatewaySimulator.Sending;
using Kci.GatewaySimulator.Verification;

namespace Kci.GatewaySimulator;

/// <summary>
/// The end of a run: what was sent and answered, what the simulated gateway's order read answered, and what the check
/// found. Printed, and written as JSON for the benchmarks and tests.
/// </summary>
public sealed record RunSummary(
    SimulatorOptions Options, int Orders, int DistinctKcis, int Repeats, int Withheld, int Requests, int Accepted, int Failed, int Retries,
    IReadOnlyDictionary<string, int> Errors, double Seconds, Percentiles Latency, int TokenRenewals, VerifySummary? Verify,
    TenantApiSummary? Gateway = null)
{
    public bool Passed => Failed == 0 && (Verify is null || Verify.Mismatches.Count == 0);

    /// <summary>Held-back numbers Kci recovered from the simulated gateway and handled in place; null without --verify.</summary>
    public int? GapsRecovered => Verify?.GapsRecovered;

    /// <summary>Held-back numbers Kci skipped (counted in a gapBefore); null without --verify.</summary>
    public int? GapsSkipped => Verify?.GapsSkipped;

    public string ToText()
    {
        var text = new StringBuilder();
        text.AppendLine($"sent {Requests:N0} requests in {Seconds:0.0} s ({Requests / Math.Max(Seconds, 0.001):N0}/s): {Orders:N0} orders, {DistinctKcis:N0} KCIs, {Repeats:N0} sent twice, {Withheld:N0} numbers held back");
        text.AppendLine($"  204: {Accepted:N0}   not taken: {Failed:N0}   retries: {Retries:N0}   token renewals: {TokenRenewals:N0}");
        text.AppendLine(Errors.Count == 0 ? "  errors: none" : $"  errors: {string.Join(", ", Errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} x{e.Value:N0}"))}");
        text.AppendLine($"  POST latency: {Latency}");
        text.AppendLine(Gateway is { } gateway
            ? $"gateway order reads at {gateway.Url}: 200: {gateway.Ok:N0}   404: {gateway.NotFound:N0}   503: {gateway.Faults:N0}   "
                + $"401: {gateway.Unauthorised:N0}   400: {gateway.Invalid:N0}   orders read: {gateway.OrdersRead:N0}   tokens issued: {gateway.TokensIssued:N0}"
            : "gateway order reads: off");
        if (Verify is null && Withheld > 0)
            text.AppendLine($"  gaps: {Withheld:N0} held back, recovered or skipped: not verified");
        if (Verify is { } verify)
        {
            text.AppendLine(verify.Mismatches.Count == 0
                ? $"verify: OK: {verify.Orders:N0} orders, {verify.Kcis:N0} KCIs each handled exactly once, in sequence order, gap and late flags as sent"
                : $"verify: FAILED: {verify.Mismatches.Count:N0} mismatches in {verify.Orders:N0} orders");
            foreach (var mismatch in verify.Mismatches.Take(20))
                text.AppendLine($"  {mismatch}");
            if (verify.Mismatches.Count > 20)
                text.AppendLine($"  ... and {verify.Mismatches.Count - 20:N0} more");
            if (Withheld > 0 || verify.GapsRecovered + verify.GapsSkipped > 0)
                text.AppendLine($"  gaps: {Withheld:N0} held back, {verify.GapsRecovered:N0} recovered, {verify.GapsSkipped:N0} skipped");
            text.AppendLine($"  send to handled: {verify.SendToHandled}");
            if (verify.FirstSendToLastHandledSeconds is { } drain)
                text.AppendLine($"  first send to last handled: {drain:0.0} s ({verify.HandledPerSecond:N1} KCIs handled/s)");
        }
        return text.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}

/// <summary>The check's figures; the gap counts are written once, at the summary's top level.</summary>
public sealed record VerifySummary(int Orders, int Kcis, IReadOnlyList<string> Mismatches, Percentiles SendToHandled,
    double? FirstSendToLastHandledSeconds, double? HandledPerSecond,
    [property: JsonIgnore] int GapsRecovered = 0, [property: JsonIgnore] int GapsSkipped = 0)
{
    public static VerifySummary From(VerifyResult result)
    {
        var drain = result is { FirstSent: { } first, LastHandled: { } last } ? (last - first).TotalSeconds : (double?)null;
        return new VerifySummary(result.Orders, result.Kcis, result.Mismatches, result.SendToHandled, drain,
            drain is > 0 ? result.Kcis / drain : null, result.GapsRecovered, result.GapsSkipped);
    }
}
