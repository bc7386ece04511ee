using System.Diagnostics;
using Kci.GatewaySimulator;
using Kci.GatewaySimulator.GatewayApi;
using Kci.GatewaySimulator.Journeys;
using Kci.GatewaySimulator.Sending;
using Kci.GatewaySimulator.Verification;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(SimulatorOptions.Usage);
    return 0;
}
if (SimulatorOptions.Parse(args, out var problem) is not { } options)
{
    Console.Error.WriteLine($"gateway-simulator: {problem}\n\n{SimulatorOptions.Usage}");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var clock = TimeProvider.System;
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    { BaseAddress = options.Url, Timeout = Timeout.InfiniteTimeSpan };

// 1. Plan: the journeys the seed gives (counted once up front for the progress bar; each order is made again as it is sent).
var generator = new JourneyGenerator(options);
var plan = generator.Orders().Select(o => (Sends: o.Sends.Count, Kcis: o.Kcis.Count - o.Withheld.Count, Repeats: o.Sends.Count(s => s.Repeat), o.Withheld.Count)).ToList();
Console.WriteLine($"gateway-simulator: {options.Orders:N0} orders, {plan.Sum(p => p.Sends):N0} POSTs to {options.Url} (seed {options.Seed}, concurrency {options.Concurrency}, "
    + $"shuffle {options.Shuffle}, duplicates {options.DuplicateRate:0.###}, gaps {options.GapRate:0.###}, rate {(options.Rate > 0 ? $"{options.Rate:0.#}/s" : "unlimited")})");

// 2. The gateway's order reads, for Kci's gap recovery: up before the first POST, down once the check is done.
GatewayOrders? gatewayOrders = null;
TenantApi? tenantApi = null;
TenantApiHost? tenantHost = null;
if (options.GatewayListen is { } listen)
{
    gatewayOrders = new GatewayOrders(generator, clock);
    tenantApi = new TenantApi(gatewayOrders, new TenantTokens(options.GatewayClientId, options.GatewayClientSecret, clock), options.GatewayFaultRate, options.Seed);
    try
    {
        tenantHost = await TenantApiHost.StartAsync(listen, tenantApi, cancel.Token);
    }
    catch (Exception e) when (e is IOException or InvalidOperationException)
    {
        Console.Error.WriteLine($"gateway-simulator: cannot serve the gateway's order reads on {listen}: {e.Message} (--gateway-listen none turns them off)");
        return 1;
    }
    Console.WriteLine($"gateway order reads on {tenantHost.Address} (client {options.GatewayClientId}, faults {options.GatewayFaultRate:0.###})");
}

var stats = new RunStats();
using var tokens = new TokenSource(http, options.EffectiveTokenUrl, options.ClientId, options.ClientSecret, options.Scope, clock);
double seconds;
VerifySummary? verified = null;
try
{
    // 3. Send, as the gateway does.
    try
    {
        await tokens.GetAsync(cancel.Token);
    }
    catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
    {
        Console.Error.WriteLine($"gateway-simulator: no token: {e.Message}");
        return 1;
    }
    var run = new GatewayRun(options, new KciSender(http, tokens, stats, options), stats, clock, gatewayOrders);
    var started = Stopwatch.GetTimestamp();
    var sent = await run.RunAsync(generator.Orders(), plan.Sum(p => p.Sends), cancel.Token);
    seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

    // 4. Check what the operations API shows.
    if (options.Verify)
    {
        using var operations = new HttpClient { BaseAddress = options.OperationsUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var operationsTokens = options.OperationsScope is null ? null
            : new TokenSource(http, options.EffectiveTokenUrl, options.ClientId, options.ClientSecret, options.OperationsScope, clock);
        var result = await new OrdersVerifier(operations, operationsTokens, options, clock, gatewayOrders).VerifyAsync(sent, cancel.Token);
        verified = VerifySummary.From(result);
    }
}
finally
{
    if (tenantHost is not null)
        await tenantHost.DisposeAsync();
}

// 5. Summary.
var summary = new RunSummary(options, options.Orders, plan.Sum(p => p.Kcis), plan.Sum(p => p.Repeats), plan.Sum(p => p.Count), stats.Sent,
    stats.Accepted, stats.Failed, stats.Retries, stats.Errors, seconds, stats.Latency(), tokens.Renewals, verified,
    tenantHost is null ? null : tenantApi!.Summary(tenantHost.Address));
Console.Write(summary.ToText());
if (options.JsonPath is not null)
    await File.WriteAllTextAsync(options.JsonPath, summary.ToJson());
return summary.Passed ? 0 : 1;
