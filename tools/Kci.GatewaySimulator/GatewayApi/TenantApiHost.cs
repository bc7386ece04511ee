using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kci.GatewaySimulator.GatewayApi;

/// <summary>
/// The Tenant API on Kestrel inside the simulator process: started before the first POST, stopped once --verify is
/// done, so Kci can read orders both while they are sent and while they are checked. An empty host: no configuration
/// files, environment settings or log output of its own to mix with the run's.
/// </summary>
public sealed class TenantApiHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TenantApiHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where it listens, with the real port when it was asked for port 0.</summary>
    public Uri Address { get; }

    /// <exception cref="IOException">The address is taken or cannot be listened on.</exception>
    public static async Task<TenantApiHost> StartAsync(Uri listen, TenantApi api, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(listen.GetLeftPart(UriPartial.Authority));
        builder.Services.AddRoutingCore();
        // Signals belong to the simulator, not to this listener: Ctrl+C and SIGTERM stop the run, which then stops the API.
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        var app = builder.Build();
        app.MapTenantApi(api);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return new TenantApiHost(app, bound is null ? listen : new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

/// <summary>A host lifetime that takes no signals (the default console lifetime would swallow the simulator's SIGTERM).</summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
