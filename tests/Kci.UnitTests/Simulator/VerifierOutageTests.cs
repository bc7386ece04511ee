using System.Net;
using System.Text;
using Kci.GatewaySimulator;
using Kci.GatewaySimulator.Journeys;
using Kci.GatewaySimulator.Sending;
using Kci.GatewaySimulator.Verification;

namespace Kci.UnitTests.Simulator;

/// <summary>--verify against an operations API that fails for a while, as during an outage.</summary>
public class When_the_operations_api_fails_during_verify
{
    private static readonly Guid Kci = Guid.Parse("6a1f1b1e-0000-4000-8000-000000000001");

    private static SentOrder Order() => new("PROVIDE_ORDER", 42, [new ExpectedKci(Kci, 1, 0)],
        new Dictionary<Guid, DateTimeOffset> { [Kci] = DateTimeOffset.UtcNow }, AllAccepted: true);

    private static string Timeline() =>
        $$"""[{"id":"{{Kci}}","sequenceNumber":1,"flags":{"late":false,"sequenceConflict":false,"gapBefore":0},"handledAt":"{{DateTimeOffset.UtcNow:O}}"}]""";

    [Fact]
    public async Task Should_ask_again_through_5xx_and_refused_connections_and_pass_once_it_answers()
    {
        var calls = 0;
        using var http = new HttpClient(new Answering(_ => ++calls switch
        {
            1 => throw new HttpRequestException("Connection refused"),
            2 => new HttpResponseMessage(HttpStatusCode.InternalServerError),
            3 => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
            4 => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>proxy error</html>", Encoding.UTF8, "text/html") },
            _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Timeline(), Encoding.UTF8, "application/json") },
        })) { BaseAddress = new Uri("http://ops:1/") };
        var options = SimulatorOptions.Parse(["--verify", "--verify-timeout", "30", "--quiet"], out _)!;

        var result = await new OrdersVerifier(http, null, options, TimeProvider.System).VerifyAsync([Order()], CancellationToken.None);

        Assert.Empty(result.Mismatches);
        Assert.True(calls >= 5);
    }

    [Fact]
    public async Task Should_report_a_failure_rather_than_crash_when_it_never_answers()
    {
        using var http = new HttpClient(new Answering(_ => new HttpResponseMessage(HttpStatusCode.InternalServerError))) { BaseAddress = new Uri("http://ops:1/") };
        var options = SimulatorOptions.Parse(["--verify", "--verify-timeout", "1", "--quiet"], out _)!;

        var result = await new OrdersVerifier(http, null, options, TimeProvider.System).VerifyAsync([Order()], CancellationToken.None);

        Assert.Contains(result.Mismatches, m => m.Contains("did not answer (HTTP 500)", StringComparison.Ordinal));
    }

    private sealed class Answering(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }
}
