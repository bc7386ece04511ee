using System.Collections.Concurrent;

namespace Kci.GatewaySimulator.GatewayApi;

/// <summary>What the simulated gateway's order reads answered, by status.</summary>
public sealed record TenantApiSummary(string Url, int Ok, int NotFound, int Faults, int Unauthorised, int Invalid, int OrdersRead, int TokensIssued);

/// <summary>
/// The simulated gateway's Tenant API as the endpoints see it: the orders it knows, its token issuer, the faults it
/// injects (seeded, so a run's faults repeat with its seed) and what it answered.
/// </summary>
public sealed class TenantApi(GatewayOrders orders, TenantTokens tokens, double faultRate, int seed)
{
    private readonly Random _faults = new(seed);
    private readonly Lock _faultsLock = new();
    private readonly ConcurrentDictionary<int, int> _answered = new();

    public GatewayOrders Orders => orders;
    public TenantTokens Tokens => tokens;

    /// <summary>Whether this authorised read is answered 503 instead (--gateway-faults).</summary>
    public bool Fault()
    {
        if (faultRate <= 0)
            return false;
        lock (_faultsLock)
            return _faults.NextDouble() < faultRate;
    }

    public void Answered(int status) => _answered.AddOrUpdate(status, 1, (_, n) => n + 1);

    public int Reads(int status) => _answered.GetValueOrDefault(status);

    public TenantApiSummary Summary(Uri url) =>
        new(url.ToString(), Reads(200), Reads(404), Reads(503), Reads(401), Reads(400), orders.OrdersRead, tokens.Issued);
}
