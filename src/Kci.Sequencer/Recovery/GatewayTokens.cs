using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Kci.Sequencer.Recovery;

/// <summary>The gateway refused our client credentials, or its token endpoint could not be reached.</summary>
public sealed class GatewayTokenException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The bearer token for the gateway's Tenant API, taken by OAuth2 client credentials and kept until a minute before it
/// expires (or half its lifetime, if that is shorter). One request at a time renews it; a read answered 401 drops it.
/// </summary>
public sealed class GatewayTokens(HttpClient http, IOptions<GatewayOptions> options, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private (string Value, DateTimeOffset RenewAt)? _token;

    /// <summary>Tokens taken since start, for logs and tests.</summary>
    public int Taken { get; private set; }

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_token is { } token && clock.GetUtcNow() < token.RenewAt)
            return token.Value;
        await _renewal.WaitAsync(cancellationToken);
        try
        {
            if (_token is { } renewed && clock.GetUtcNow() < renewed.RenewAt)
                return renewed.Value;
            _token = await TakeAsync(cancellationToken);
            Taken++;
            return _token.Value.Value;
        }
        finally
        {
            _renewal.Release();
        }
    }

    /// <summary>The gateway refused <paramref name="value"/>: the next read takes a new token.</summary>
    public void Drop(string value)
    {
        if (_token is { } token && token.Value == value)
            _token = null;
    }

    private async Task<(string, DateTimeOffset)> TakeAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = settings.ClientId!,
            ["client_secret"] = settings.ClientSecret!,
        };
        if (!string.IsNullOrWhiteSpace(settings.Scope))
            form["scope"] = settings.Scope;
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.EffectiveTokenUrl()) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new GatewayTokenException($"the token endpoint did not answer: {ex.Message}", ex);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new GatewayTokenException($"the token endpoint answered {(int)response.StatusCode}");
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                using var json = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
                var value = json.RootElement.GetProperty("access_token").GetString();
                if (string.IsNullOrEmpty(value))
                    throw new GatewayTokenException("the token endpoint answered without an access_token");
                var lifetime = json.RootElement.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var seconds) && seconds > 0
                    ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(5);
                var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, lifetime.Ticks / 2));
                return (value, clock.GetUtcNow() + lifetime - margin);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new GatewayTokenException("the token endpoint's answer is not a token", ex);
            }
        }
    }

    public void Dispose() => _renewal.Dispose();
}
