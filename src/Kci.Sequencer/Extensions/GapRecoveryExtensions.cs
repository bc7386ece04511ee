using Kci.Sequencer.Recovery;
using Kci.Sequencer.Sequencing;

namespace Kci.Sequencer.Extensions;

internal static class GapRecoveryExtensions
{
    /// <summary>
    /// Gap recovery from the gateway's order read (docs/gap-recovery.md): its options, the token, the typed client behind the
    /// Polly pipeline, and the job that reads due orders. Off, and only logged as such, while <c>Gateway:BaseUrl</c> is not set.
    /// </summary>
    public static IHostApplicationBuilder AddGapRecovery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var configured = builder.Configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>()?.IsConfigured == true;
        builder.Services.PostConfigure<SequencerOptions>(o => o.GapRecovery = configured);

        builder.Services.AddHttpClient("gateway-token", (services, http) =>
            http.Timeout = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>().Value.AttemptTimeout);
        builder.Services.AddSingleton(services => new GatewayTokens(
            services.GetRequiredService<IHttpClientFactory>().CreateClient("gateway-token"),
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>(), services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<GatewayResilience>();
        builder.Services.AddTransient<GatewayResilienceHandler>();
        builder.Services.AddHttpClient<GatewayClient>((services, http) =>
            {
                var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>().Value;
                if (options.IsConfigured)
                    http.BaseAddress = options.BaseAddress();
                http.Timeout = options.TotalTimeout + TimeSpan.FromSeconds(5); // a backstop: the pipeline's own timeout comes first
            })
            .AddHttpMessageHandler<GatewayResilienceHandler>();
        builder.Services.AddHostedService<GapRecoverer>();
        return builder;
    }
}
