using System.Security.Claims;

namespace Kci.Handlers.Operations;

/// <summary>The body of every operator action: why, and (without a token) who.</summary>
public sealed record OperatorRequest(string? Reason, string? Operator)
{
    /// <summary>The authenticated caller wins over a name in the body.</summary>
    public string Who(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true
            ? user.FindFirst("sub")?.Value ?? user.Identity.Name ?? "authenticated"
            : string.IsNullOrWhiteSpace(Operator) ? "anonymous" : Operator.Trim();

    public static bool IsValid(OperatorRequest? request) => !string.IsNullOrWhiteSpace(request?.Reason);
}

public sealed record ProblemBody(string Error);
