using System.Text.Json;
using Kci.Hosting;
using Kci.Hosting.Messaging;
using Kci.Ingress.Kcis;
using Microsoft.AspNetCore.Diagnostics;
using Kci.Hosting.Kcis;

namespace Kci.Ingress.Extensions;

internal static class IngressServiceExtensions
{
    public static IHostApplicationBuilder AddIngressServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngressOptions>()
            .BindConfiguration(IngressOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.ConfirmTimeout > TimeSpan.Zero, "Ingress:ConfirmTimeout must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<KciPublisher>();
        // The ingress only produces: no receive endpoints, and readiness is the broker alone (a database
        // outage must not stop KCIs being taken; they wait in RabbitMQ).
        builder.AddKciBus();
        return builder;
    }

    /// <summary>Anything unexpected: 500 TENANT_FAULT with a uuid that the error log line carries too; no exception text in the body.</summary>
    public static WebApplication UseKciExceptionHandler(this WebApplication app)
    {
        app.UseExceptionHandler(errorApp => errorApp.Run(async http =>
        {
            var error = KciError.Create(KciErrorCodes.TenantFault, ["Unexpected error; quote the uuid when reporting it"]);
            var exception = http.Features.Get<IExceptionHandlerFeature>()?.Error;
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Kci.Ingress");
            Log.Unexpected(logger, exception!, KciEndpoints.SafeHeader(http, "X-Request-ID"), KciEndpoints.SafeHeader(http, "X-Conversation-ID"), error.Uuid);
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(JsonSerializer.Serialize(error, JsonSerializerOptions.Web));
        }));
        return app;
    }
}
