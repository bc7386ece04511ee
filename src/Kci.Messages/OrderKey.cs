namespace Kci.Messages;

/// <summary>
/// Identifies an order (or service problem) on the gateway: a KCI's <c>entityType</c> and <c>entity.id</c>.
/// Amendments and cancellations may come under other conversations; the entity is always the order.
/// </summary>
public sealed record OrderKey
{
    public required string EntityType { get; init; }
    public required string EntityId { get; init; }

    public override string ToString() => $"{EntityType}/{EntityId}";
}
