using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>
/// OAuth2 client credentials end to end. Every token here is real: issued by an ingress's own token endpoint and
/// checked by the ingress under test through its OIDC metadata and JWKS. Tokens that must fail for one reason
/// only (wrong issuer, wrong audience, expired, no scope) come from other ingresses that share the signing key.
/// </summary>
[Collection(PipelineCollection.Name)]
public class When_the_gateway_authenticates(Pipeline pipeline)
{
    private static readonly SemaphoreSlim Starting = new(1, 1);
    private static Issuers? _issuers;

    private sealed record Issuers(ServiceProcess OtherIssuer, ServiceProcess OtherAudience, ServiceProcess ShortLived, ServiceProcess OtherScope, ServiceProcess WithBasic);

    private async Task<Issuers> IssuersAsync()
    {
        await Starting.WaitAsync();
        try
        {
            if (_issuers is not null)
                return _issuers;
            var authority = pipeline.Ingress.BaseAddress.ToString().TrimEnd('/');
            var issuers = new Issuers(
                OtherIssuer: pipeline.StartIngress(),
                OtherAudience: pipeline.StartIngress(new Dictionary<string, string> { ["Auth__Audience"] = "someone-else" }),
                ShortLived: pipeline.StartIngress(new Dictionary<string, string> { ["Auth__LocalIssuer__TokenLifetime"] = "00:00:05", ["Auth__ClockSkew"] = "00:00:00" }, authority),
                OtherScope: pipeline.StartIngress(new Dictionary<string, string> { ["Auth__RequiredScope"] = "kci.read" }, authority),
                WithBasic: pipeline.StartIngress(new Dictionary<string, string> { ["Auth__Basic__Enabled"] = "true", ["Auth__Basic__Clients__gateway"] = "basic-secret" }));
            await Task.WhenAll(issuers.OtherIssuer.WaitUntilReadyAsync(), issuers.OtherAudience.WaitUntilReadyAsync(),
                issuers.ShortLived.WaitUntilReadyAsync(), issuers.OtherScope.WaitUntilReadyAsync(), issuers.WithBasic.WaitUntilReadyAsync());
            return _issuers = issuers;
        }
        finally
        {
            Starting.Release();
        }
    }

    private static string ValidBody() => Samples.Kci("provide-order-informational.json", Samples.NewEntityId(), 1).ToJsonString();

    [Fact]
    public async Task Should_issue_a_bearer_token_for_client_credentials_in_basic_auth()
    {
        using var http = new HttpClient { BaseAddress = pipeline.Ingress.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth2/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("fibre-cafe-local:local-dev-secret"u8.ToArray()));
        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Bearer", token["token_type"]!.GetValue<string>());
        Assert.Equal(3600, token["expires_in"]!.GetValue<int>());
        Assert.Equal(3, token["access_token"]!.GetValue<string>().Split('.').Length);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("client_credentials", "fibre-cafe-local", "wrong", 401, "invalid_client")]
    [InlineData("client_credentials", "nobody", "local-dev-secret", 401, "invalid_client")]
    [InlineData("password", "fibre-cafe-local", "local-dev-secret", 400, "unsupported_grant_type")]
    [InlineData("", "fibre-cafe-local", "local-dev-secret", 400, "invalid_request")]
    public async Task Should_answer_rfc_6749_errors(string grantType, string clientId, string secret, int status, string error)
    {
        using var http = new HttpClient { BaseAddress = pipeline.Ingress.BaseAddress };
        var response = await http.PostAsync("oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grantType,
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Should_accept_a_valid_token()
    {
        var response = await pipeline.Ingress.PostRawAsync(ValidBody(), await pipeline.TokenAsync());
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task Should_answer_401_without_a_token()
    {
        var response = await pipeline.Ingress.PostRawAsync(ValidBody(), bearer: null);
        await response.AssertErrorBodyAsync(401, "NOT_AUTHORISED");
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_answer_401_for_a_malformed_token()
    {
        var response = await pipeline.Ingress.PostRawAsync(ValidBody(), "not-a-jwt");
        await response.AssertErrorBodyAsync(401, "NOT_AUTHORISED");
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_answer_401_for_a_bad_signature()
    {
        var parts = (await pipeline.TokenAsync()).Split('.');
        var signature = parts[2].ToCharArray();
        signature[signature.Length / 2] = signature[signature.Length / 2] == 'A' ? 'B' : 'A';
        var tampered = $"{parts[0]}.{parts[1]}.{new string(signature)}";

        await (await pipeline.Ingress.PostRawAsync(ValidBody(), tampered)).AssertErrorBodyAsync(401, "NOT_AUTHORISED");
    }

    [Fact]
    public async Task Should_answer_401_for_alg_none()
    {
        var payload = (await pipeline.TokenAsync()).Split('.')[1];
        var header = Base64Url("""{"alg":"none","typ":"JWT"}""");
        await (await pipeline.Ingress.PostRawAsync(ValidBody(), $"{header}.{payload}.")).AssertErrorBodyAsync(401, "NOT_AUTHORISED");
    }

    [Fact]
    public async Task Should_answer_401_for_an_expired_token()
    {
        var issuers = await IssuersAsync();
        var token = await pipeline.TokenAsync(issuers.ShortLived);
        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.Ingress.PostRawAsync(ValidBody(), token)).StatusCode);

        // The token lives 5 s ("exp" is in whole seconds, so 4 to 5 s); the main ingress allows 1 s of clock skew.
        await Task.Delay(TimeSpan.FromSeconds(7));
        await (await pipeline.Ingress.PostRawAsync(ValidBody(), token)).AssertErrorBodyAsync(401, "NOT_AUTHORISED");
    }

    [Fact]
    public async Task Should_answer_401_for_a_wrong_issuer()
    {
        var token = await pipeline.TokenAsync((await IssuersAsync()).OtherIssuer);
        await (await pipeline.Ingress.PostRawAsync(ValidBody(), token)).AssertErrorBodyAsync(401, "NOT_AUTHORISED");
    }

    [Fact]
    public async Task Should_answer_401_for_a_wrong_audience()
    {
        var token = await pipeline.TokenAsync((await IssuersAsync()).OtherAudience);
        await (await pipeline.Ingress.PostRawAsync(ValidBody(), token)).AssertErrorBodyAsync(401, "NOT_AUTHORISED");
    }

    [Fact]
    public async Task Should_answer_403_without_a_body_for_a_token_without_the_scope()
    {
        var token = await pipeline.TokenAsync((await IssuersAsync()).OtherScope);
        var response = await pipeline.Ingress.PostRawAsync(ValidBody(), token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Should_accept_basic_credentials_where_the_tenant_chose_basic()
    {
        var ingress = (await IssuersAsync()).WithBasic;
        var good = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("gateway:basic-secret"u8.ToArray()));
        var bad = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("gateway:guess"u8.ToArray()));

        Assert.Equal(HttpStatusCode.NoContent, (await ingress.PostRawAsync(ValidBody(), null, authorization: good)).StatusCode);
        await (await ingress.PostRawAsync(ValidBody(), null, authorization: bad)).AssertErrorBodyAsync(401, "NOT_AUTHORISED");
    }

    [Fact]
    public async Task Should_not_serve_the_token_endpoint_unless_configured()
    {
        var ingress = pipeline.StartService("Ingress", extra: new Dictionary<string, string> { ["Auth__LocalIssuer__Enabled"] = "false" });
        await ingress.WaitUntilReadyAsync();
        using var http = new HttpClient { BaseAddress = ingress.BaseAddress };
        var response = await http.PostAsync("oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static string Base64Url(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
