using System.Security.Claims;
using System.Security.Cryptography;
using Kci.Hosting.Security;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Kci.UnitTests.Hosting;

public class When_a_bearer_token_comes_again
{
    private const string Issuer = "http://issuer.test";
    private const string Audience = "kci";
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "key-1" };

    private string Token(TimeSpan lifetime, SecurityKey? key = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Subject = new ClaimsIdentity([new Claim("scope", "kci.write")]),
        NotBefore = DateTime.UtcNow.AddMinutes(-1),
        IssuedAt = DateTime.UtcNow.AddMinutes(-1),
        Expires = DateTime.UtcNow + lifetime,
        SigningCredentials = new SigningCredentials(key ?? _key, SecurityAlgorithms.RsaSha256),
    });

    private TokenValidationParameters Parameters(params SecurityKey[] keys) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKeys = keys.Length > 0 ? keys : [_key],
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.Zero,
    };

    [Fact]
    public async Task Should_accept_it_again_with_an_identity_of_its_own()
    {
        var handler = new RememberingTokenHandler(TimeProvider.System);
        var token = Token(TimeSpan.FromMinutes(10));

        var first = await handler.ValidateTokenAsync(token, Parameters());
        var second = await handler.ValidateTokenAsync(token, Parameters());

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.Equal("kci.write", second.ClaimsIdentity.FindFirst("scope")?.Value);
    }

    [Fact]
    public async Task Should_refuse_it_once_its_signing_key_is_no_longer_published()
    {
        var handler = new RememberingTokenHandler(TimeProvider.System);
        var token = Token(TimeSpan.FromMinutes(10));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters())).IsValid);

        var other = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "key-2" };
        Assert.False((await handler.ValidateTokenAsync(token, Parameters(other))).IsValid);
    }

    [Fact]
    public async Task Should_refuse_it_once_it_expired()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var handler = new RememberingTokenHandler(clock);
        var parameters = Parameters();
        parameters.LifetimeValidator = (_, expires, _, _) => expires is { } at && clock.GetUtcNow() < at; // the same clock as the memory's
        var token = Token(TimeSpan.FromMinutes(2));
        Assert.True((await handler.ValidateTokenAsync(token, parameters)).IsValid);
        Assert.True((await handler.ValidateTokenAsync(token, parameters)).IsValid);

        clock.Advance(TimeSpan.FromMinutes(3));

        Assert.False((await handler.ValidateTokenAsync(token, parameters)).IsValid);
    }

    [Fact]
    public async Task Should_never_remember_a_token_that_failed()
    {
        var handler = new RememberingTokenHandler(TimeProvider.System);
        var stranger = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "key-1" }; // the same key id, another key
        var forged = Token(TimeSpan.FromMinutes(10), stranger);

        Assert.False((await handler.ValidateTokenAsync(forged, Parameters())).IsValid);
        Assert.False((await handler.ValidateTokenAsync(forged, Parameters())).IsValid);
        Assert.True((await handler.ValidateTokenAsync(forged, Parameters(stranger))).IsValid); // checked afresh each time
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;
        public void Advance(TimeSpan by) => _now += by;
        public override DateTimeOffset GetUtcNow() => _now;
    }
}
