using Kci.Handlers.Operations;
using Kci.Handlers.Retention;

namespace Kci.Handlers.OperatorConsole;

/// <summary>
/// The operator console at <c>/console</c> (docs/operations.md): Razor Pages rendered on the server, plain forms and no
/// script, over the same queries and the same <see cref="OperatorCommands"/> as the operations API, behind the same
/// operator token when <see cref="OperationsAuth"/> is on.
/// </summary>
public static class ConsoleSetup
{
    public static IHostApplicationBuilder AddOperatorConsole(this IHostApplicationBuilder builder, bool secured)
    {
        builder.Services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<ConsoleQueries>();
        builder.Services.AddHttpClient<RabbitManagement>();
        builder.Services.AddRazorPages(pages =>
        {
            if (!secured)
                return;
            pages.Conventions.AuthorizeFolder("/Console", OperationsAuth.Policy);
            pages.Conventions.AllowAnonymousToPage("/Console/SignIn");
        });
        builder.AddClosedOrderRetention();
        return builder;
    }

    public static WebApplication MapOperatorConsole(this WebApplication app)
    {
        app.MapRazorPages();
        return app;
    }
}
