using Microsoft.AspNetCore.Http.HttpResults;

namespace Kci.Handlers.Operations;

/// <summary>
/// The operations API's one error language: RFC 7807 problem details (<c>application/problem+json</c>). A request that is
/// not valid names its field: <c>errors: {"field": ["what is wrong"]}</c>, as ASP.NET Core's validation problems do.
/// </summary>
public static class Problems
{
    /// <summary>400: <paramref name="field"/> is not valid.</summary>
    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: $"{field}: {message}",
            title: "The request is not valid");

    /// <summary>As <see cref="Invalid(string, string)"/>, with the status a binding failure carries (400, 413 or 415).</summary>
    public static IResult InvalidWithStatus(string field, string message, int status) =>
        status == StatusCodes.Status400BadRequest
            ? Invalid(field, message)
            : TypedResults.Problem($"{field}: {message}", statusCode: status, title: "The request is not valid",
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    /// <summary>400 from a rule's "field: message" text.</summary>
    public static ValidationProblem Invalid(string problem) =>
        problem.IndexOf(": ", StringComparison.Ordinal) is var colon and > 0
            ? Invalid(problem[..colon], problem[(colon + 2)..])
            : Invalid("body", problem);

    /// <summary>404: what was asked for does not exist.</summary>
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>409: the request does not apply to the resource as it is now; <paramref name="current"/> shows it.</summary>
    public static ProblemHttpResult Conflict(string detail, object? current = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict with the current state",
            extensions: current is null ? null : new Dictionary<string, object?> { ["current"] = current });

    /// <summary>422: the request is well formed, but <paramref name="field"/> names something this API cannot act on.</summary>
    public static ProblemHttpResult Unprocessable(string field, string message) =>
        TypedResults.Problem($"{field}: {message}", statusCode: StatusCodes.Status422UnprocessableEntity, title: "Cannot be processed",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
}
