using Kci.Hosting;
using Kci.Messages;

namespace Kci.UnitTests.Sequencing;

/// <summary>Builds <see cref="KciReceived"/> messages for one order.</summary>
internal sealed class KciBuilder(string entityId = "123", string supplier = "SUPPLIER1")
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

    public OrderKey Order { get; } = new() { EntityType = "PROVIDE_ORDER", EntityId = entityId };
    public Guid OrderId => NameBasedGuid.ForOrder(Order.EntityType, Order.EntityId);

    public KciReceived Kci(long sequenceNumber, Guid? id = null, string updateType = "INFORMATIONAL") => new()
    {
        KciId = id ?? Guid.NewGuid(),
        OrderId = OrderId,
        Order = Order,
        SequenceNumber = sequenceNumber,
        Supplier = supplier,
        UpdateType = updateType,
        PayloadType = "UPDATE",
        ConversationId = "conversation-1",
        RequestId = $"request-{sequenceNumber}",
        ReceivedAt = T0,
        Body = "{}",
    };
}
