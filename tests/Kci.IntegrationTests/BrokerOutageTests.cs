using System.Diagnostics;
using System.Net;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>The broker becomes unreachable for an ingress (its port closed, connections cut), then comes back.</summary>
[Collection(PipelineCollection.Name)]
public class When_the_broker_is_unreachable(Pipeline pipeline)
{
    [Fact]
    public async Task Should_answer_503_within_the_bound_and_recover_by_itself()
    {
        await using var proxy = new TcpProxy(pipeline.Servers.Rabbit.Host, pipeline.Servers.Rabbit.Port);
        proxy.Open();
        var ingress = pipeline.StartIngress(new Dictionary<string, string>
        {
            ["RabbitMq__Host"] = "127.0.0.1",
            ["RabbitMq__Port"] = proxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await ingress.WaitUntilReadyAsync();
        var token = await pipeline.TokenAsync(ingress);
        string Body() => Samples.Kci("provide-order-informational.json", Samples.NewEntityId(), 1).ToJsonString();

        Assert.Equal(HttpStatusCode.NoContent, (await ingress.PostRawAsync(Body(), token)).StatusCode);

        proxy.Close();
        var clock = Stopwatch.StartNew();
        var during = await ingress.PostRawAsync(Body(), token);
        clock.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6.5), $"503 should come within the 5 s bound, took {clock.Elapsed}");
        Assert.NotNull(during.Headers.RetryAfter);

        proxy.Open();
        var recovered = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            status = (await ingress.PostRawAsync(Body(), token)).StatusCode;
        }
        while (status != HttpStatusCode.NoContent && recovered.Elapsed < TimeSpan.FromSeconds(60));

        Assert.True(status == HttpStatusCode.NoContent, $"no 204 within 60 s of the broker coming back:\n{ingress.Output}");
    }
}
