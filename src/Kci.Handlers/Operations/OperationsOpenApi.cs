using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Kci.Handlers.Operations;

/// <summary>
/// The operations API's OpenAPI document at <c>/openapi/v1.json</c>, like the ingress's: every operation named, tagged
/// and summarised, its errors as RFC 7807 problem details, and the bearer token it wants outside the local stack.
/// </summary>
internal static class OperationsOpenApi
{
    private static readonly Dictionary<string, string> Tags = new(StringComparer.Ordinal)
    {
        ["Orders"] = "Orders as Handlers recorded them, their timelines, and the commands that move a waiting order on",
        ["Actions"] = "Action items that KCIs opened (ACTION_REQUIRED), and their resolution",
        ["Dead letters"] = "Messages that faulted for good, and their replay",
        ["Errors"] = "ERROR KCIs and KCIs of unknown types, kept whole",
        ["Sequencer"] = "Orders that wait in the sequencer, and why",
        ["Notifications"] = "Deliveries to downstream subscribers",
        ["Operators"] = "The audit of every operator action",
    };

    public static IHostApplicationBuilder AddOperationsOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Kci: Operations API",
                    Version = "1",
                    Description = "What is stuck, since when and why, and the commands that fix it. Every error is RFC 7807 problem details.",
                    License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" },
                };
                foreach (var server in document.Servers ?? [])
                    server.Url = server.Url?.TrimEnd('/');
                document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A bearer token with scope kci.operate (OperationsAuth); not asked for in Development",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, _, _) =>
            {
                operation.Responses ??= [];
                if (!operation.Responses.ContainsKey("401"))
                    operation.Responses["401"] = new OpenApiResponse { Description = "No valid bearer token (outside the local stack)" };
                if (!operation.Responses.ContainsKey("500"))
                    operation.Responses["500"] = new OpenApiResponse { Description = "An unexpected failure; the log has it under the trace id" };
                return Task.CompletedTask;
            });
        });
        return builder;
    }
}
