using Kci.Messages;
using Microsoft.AspNetCore.Http;

namespace Kci.Hosting.Kcis;

/// <summary>The fields of a valid KCI that the pipeline routes and orders by.</summary>
public sealed record ValidatedKci(
    Guid Id,
    string Supplier,
    long SequenceNumber,
    string UpdateType,
    string? PayloadType,
    OrderKey Order);

/// <summary>The outcome of validation: either a KCI, or a status (400 or 422) with every problem found.</summary>
public sealed record KciValidation(ValidatedKci? Kci, int Status, string? Code, IReadOnlyList<string> Problems)
{
    public static KciValidation Valid(ValidatedKci kci) => new(kci, StatusCodes.Status204NoContent, null, []);
}
