using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace Kci.Handlers.Operations;

/// <summary>
/// Every error of the operations API is RFC 7807 problem details, the ones no endpoint writes too: a body that is not
/// JSON or a query value of the wrong type (named by its field), an unknown route, a missing token, and an unexpected
/// failure (500, without its exception: that is in the log, under the same trace id).
/// </summary>
internal static partial class ProblemResponses
{
    public static IHostApplicationBuilder AddOperationsProblems(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        // Binding failures throw in every environment (not only Development), so they are answered below, naming their field.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return builder;
    }

    public static WebApplication UseOperationsProblems(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteAsync });
        app.UseStatusCodePages(); // a 401, 403, 404 or 405 without a body gets a problem body
        return app;
    }

    private static async Task WriteAsync(HttpContext http)
    {
        var error = http.Features.Get<IExceptionHandlerFeature>()?.Error;
        IResult result = error is BadHttpRequestException bad
            ? Problems.InvalidWithStatus(FieldOf(bad), WhatIsWrong(bad), bad.StatusCode)
            : TypedResults.Problem("The operations API failed unexpectedly; its log has the details under this request's trace id.",
                statusCode: StatusCodes.Status500InternalServerError, title: "Internal error");
        await result.ExecuteAsync(http);
    }

    /// <summary>The field at fault: a JSON body's path (<c>$.kciId</c> is <c>kciId</c>), else the parameter ASP.NET Core names.</summary>
    internal static string FieldOf(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException { Path: { Length: > 1 } path })
            return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
        return ParameterName().Match(bad.Message) is { Success: true } match ? match.Groups["name"].Value : "body";
    }

    private static string WhatIsWrong(BadHttpRequestException bad) => bad switch
    {
        { StatusCode: StatusCodes.Status415UnsupportedMediaType } => "must be sent as application/json",
        { InnerException: JsonException } => "is not valid JSON of the expected type",
        _ when bad.Message.StartsWith("Required parameter", StringComparison.Ordinal) || bad.Message.Contains("no body was provided", StringComparison.Ordinal)
            => "is required",
        _ => "is not a valid value of its type",
    };

    // ASP.NET Core's messages name the parameter as "Type name", e.g. Failed to bind parameter "Nullable<int> page" from "x".
    [GeneratedRegex("parameter \"(?:[^\"]*\\s)?(?<name>[A-Za-z_][A-Za-z0-9_]*)\"")]
    private static partial Regex ParameterName();
}
