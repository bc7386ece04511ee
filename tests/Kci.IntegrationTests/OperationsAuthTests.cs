using System.Net;
using System.Net.Http.Headers;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>Outside the local stack, the operations API wants a bearer token with the kci.operate scope.</summary>
[Collection(PipelineCollection.Name)]
public class When_the_operations_api_is_secured(Pipeline pipeline)
{
    [Fact]
    public async Task Should_answer_401_without_a_token_403_without_the_scope_and_200_with_it()
    {
        // An issuer of kci.operate tokens (an ingress configured so), sharing the test signing key.
        await using var operatorIssuer = pipeline.StartIngress(new Dictionary<string, string> { ["Auth__RequiredScope"] = "kci.operate" },
            authority: pipeline.Ingress.BaseAddress.ToString().TrimEnd('/'));
        // A second Handlers process also consumes the shared queues: it is stopped when the test ends, so the
        // other tests of this pipeline find their log lines in the first one.
        await using var handlers = pipeline.StartService("Handlers", extra: new Dictionary<string, string>
        {
            ["OperationsAuth__Enabled"] = "true",
            ["OperationsAuth__Authority"] = pipeline.Ingress.BaseAddress.ToString().TrimEnd('/'),
        });
        await Task.WhenAll(operatorIssuer.WaitUntilReadyAsync(), handlers.WaitUntilReadyAsync());
        using var http = new HttpClient { BaseAddress = handlers.BaseAddress };

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("orders")).StatusCode);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await pipeline.TokenAsync()); // kci.write only
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("orders")).StatusCode);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await pipeline.TokenAsync(operatorIssuer));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("orders")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/ready")).StatusCode);
    }
}
