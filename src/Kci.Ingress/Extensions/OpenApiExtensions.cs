using Kci.Ingress.Auth;
using Kci.Ingress.Kcis;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Kci.Ingress.Extensions;

/// <summary>The ingress's OpenAPI document at <c>/openapi/v1.json</c>: POST /kcis with its headers, security and every response.</summary>
internal static class OpenApiExtensions
{
    public static IHostApplicationBuilder AddKciOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, context, _) =>
            {
                var auth = context.ApplicationServices.GetRequiredService<IOptions<KciAuthOptions>>().Value;
                document.Info = new OpenApiInfo
                {
                    Title = "Kci: Tenant Updates API",
                    Version = "1.14",
                    Description = "Receives the Fibre Cafe gateway's KCIs. 204 means the KCI is stored durably and will be processed in sequence.",
                    License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" },
                };
                // Server URLs without a trailing slash: paths start with one (OpenAPI's no-server-trailing-slash rule).
                foreach (var server in document.Servers ?? [])
                    server.Url = server.Url?.TrimEnd('/');
                document.Tags = new HashSet<OpenApiTag>
                {
                    new() { Name = KciEndpoints.Tag, Description = "The one endpoint the gateway calls: it pushes every KCI about the tenant's orders here." },
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["oauth2"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.OAuth2,
                    Description = $"OAuth2 client credentials; scope {auth.RequiredScope}",
                    Flows = new OpenApiOAuthFlows
                    {
                        ClientCredentials = new OpenApiOAuthFlow
                        {
                            TokenUrl = new Uri($"{auth.Authority.TrimEnd('/')}/oauth2/token"),
                            Scopes = new Dictionary<string, string> { [auth.RequiredScope] = "Post KCIs" },
                        },
                    },
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                if (context.Description.RelativePath != "kcis")
                    return;
                // Described here rather than with Accepts<T>(), which would make routing answer 415 itself
                // where the contract wants 400 MALFORMED_REQUEST.
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(KciRequestDocument), cancellationToken: cancellationToken) },
                    },
                };
                operation.Summary = "Endpoint to receive an update (KCI)";
                operation.Parameters ??= [];
                operation.Parameters.Add(Header("X-Request-ID", "Unique identifier to link request and response events across the gateway; new for every request"));
                operation.Parameters.Add(Header("X-Conversation-ID", "Identifier of the message journey; matches the header sent when the order was created"));
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("oauth2", context.Document)] = [] }];
                Describe(operation, "204", "Received: stored durably, will be processed in sequence");
                Describe(operation, "400", "Malformed (MALFORMED_REQUEST) or missing a mandatory header or field (INVALID_REQUEST)");
                Describe(operation, "401", "Not authorised (NOT_AUTHORISED)");
                Describe(operation, "403", "The client is not permitted to access this resource");
                Describe(operation, "422", "Failed a validation rule (INVALID_REQUEST)");
                Describe(operation, "500", "Unexpected error (TENANT_FAULT); its uuid is in our logs");
                Describe(operation, "503", "Temporarily unavailable: send again after Retry-After");
            });
        });
        return builder;
    }

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = true,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 200 },
    };

    private static void Describe(OpenApiOperation operation, string status, string description)
    {
        operation.Responses ??= [];
        if (operation.Responses.TryGetValue(status, out var response) && response is OpenApiResponse existing)
            existing.Description = description;
        else
            operation.Responses[status] = new OpenApiResponse { Description = description };
    }
}
