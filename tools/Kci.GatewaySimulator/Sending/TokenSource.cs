using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Kci.GatewaySimulator.Sending;

/// <summary>
/// A bearer token by OAuth2 client credentials (RFC 6749 4.4, client authenticated with Basic), renewed when
/// four fifths of its lifetime have passed, so no request goes out with a token about to expire.
/// </summary>
public sealed class TokenSource(HttpClient http, Uri tokenUrl, string clientId, string clientSecret, string? scope, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private string? _token;
    private DateTimeOffset _renewAt;

    public int Renewals { get; private set; }

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_token is not null && clock.GetUtcNow() < _renewAt)
            return _token;
        await _renewing.WaitAsync(cancellationToken);
        try
        {
            if (_token is not null && clock.GetUtcNow() < _renewAt)
                return _token;
            var (token, lifetime) = await RequestAsync(cancellationToken);
            _renewAt = clock.GetUtcNow() + lifetime * 0.8;
            _token = token;
            Renewals++;
            return token;
        }
        finally
        {
            _renewing.Release();
        }
    }

    public void Dispose() => _renewing.Dispose();

    private async Task<(string Token, TimeSpan Lifetime)> RequestAsync(CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (!string.IsNullOrEmpty(scope))
            form["scope"] = scope;
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(clientSecret)}")));
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"the token endpoint {tokenUrl} answered {(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        var token = json.RootElement.GetProperty("access_token").GetString()
            ?? throw new InvalidOperationException("the token endpoint gave no access_token");
        var lifetime = json.RootElement.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(5);
        return (token, lifetime);
    }
}
