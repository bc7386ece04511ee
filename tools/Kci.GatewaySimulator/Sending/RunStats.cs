using System.Collections.Concurrent;

namespace Kci.GatewaySimulator.Sending;

/// <summary>What the sending saw: answers by status and error code, retries, and each POST's latency.</summary>
public sealed class RunStats
{
    private readonly ConcurrentBag<double> _latencies = [];
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private int _sent;
    private int _accepted;
    private int _retries;
    private int _failed;

    public int Sent => _sent;
    public int Accepted => _accepted;
    public int Retries => _retries;
    /// <summary>KCIs that never got a 204: a 4xx, or retries used up.</summary>
    public int Failed => _failed;
    public IReadOnlyDictionary<string, int> Errors => _errors;

    public void Attempted() => Interlocked.Increment(ref _sent);
    public void Retried() => Interlocked.Increment(ref _retries);
    public void Failure() => Interlocked.Increment(ref _failed);

    public void Answered(int status, string? code, TimeSpan latency)
    {
        _latencies.Add(latency.TotalMilliseconds);
        if (status == 204)
            Interlocked.Increment(ref _accepted);
        else
            _errors.AddOrUpdate(code is null ? $"{status}" : $"{status} {code}", 1, (_, n) => n + 1);
    }

    public void NoAnswer(string reason) => _errors.AddOrUpdate(reason, 1, (_, n) => n + 1);

    public Percentiles Latency() => Percentiles.Of(_latencies);
}

/// <summary>Nearest-rank percentiles of a set of milliseconds.</summary>
public sealed record Percentiles(int Count, double P50, double P95, double P99, double Max)
{
    public static Percentiles Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            return new Percentiles(0, 0, 0, 0, 0);
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Percentiles(sorted.Length, At(0.50), At(0.95), At(0.99), sorted[^1]);
    }

    public override string ToString() => $"p50 {P50:0.0} ms, p95 {P95:0.0} ms, p99 {P99:0.0} ms, max {Max:0.0} ms";
}
