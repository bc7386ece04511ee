using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Kci.GatewaySimulator.Journeys;

namespace Kci.GatewaySimulator.GatewayApi;

/// <summary>
/// The orders the simulated gateway knows: each from the moment its first POST is about to go, with which of its
/// KCIs the ingress has taken. Only that small state is kept; a read makes the order again from the seed
/// (<see cref="JourneyGenerator.Order"/>), so a run of many orders does not hold every body. It also remembers when
/// each number was first served in a 200 read, for --verify to know what Kci could have recovered.
/// </summary>
public sealed class GatewayOrders(JourneyGenerator generator, TimeProvider clock)
{
    private static readonly IReadOnlyDictionary<long, DateTimeOffset> NothingServed = new Dictionary<long, DateTimeOffset>();
    private readonly ConcurrentDictionary<(string Read, string Id), Known> _orders = new();

    /// <summary>Makes the order readable; a second call changes nothing.</summary>
    public void Register(PlannedOrder order)
    {
        if (OrderReads.For(order.EntityType) is { } read)
            _orders.TryAdd((read, Id(order.EntityId)), new Known(order.Index, order.Withheld));
    }

    /// <summary>The ingress took this KCI (204): the gateway now shows it DELIVERED.</summary>
    public void Delivered(PlannedOrder order, long sequenceNumber)
    {
        if (Find(order.EntityType, order.EntityId) is { } known)
            lock (known)
                known.Delivered.Add(sequenceNumber);
    }

    /// <summary>Orders answered with 200 at least once.</summary>
    public int OrdersRead => _orders.Values.Count(k => Volatile.Read(ref k.OkReads) > 0);

    /// <summary>200 reads of one order.</summary>
    public int Reads(string entityType, long entityId) => Find(entityType, entityId) is { } known ? Volatile.Read(ref known.OkReads) : 0;

    /// <summary>When each of the order's numbers was first in a 200 read; empty when it never was.</summary>
    public IReadOnlyDictionary<long, DateTimeOffset> Served(string entityType, long entityId)
    {
        if (Find(entityType, entityId) is not { } known)
            return NothingServed;
        lock (known)
            return new Dictionary<long, DateTimeOffset>(known.FirstServed);
    }

    /// <summary>
    /// The order as the read answers it, counted as served; null when the gateway does not know this id under this
    /// read. The body is the order (the <c>entity</c> of its latest KCI) with <c>updates[]</c>: every KCI of it, withheld
    /// ones too, in sequence order, each without <c>entityType</c> and <c>entity</c> and with its <c>deliveryStatus</c>.
    /// </summary>
    public JsonObject? Read(string read, string id)
    {
        if (!_orders.TryGetValue((read, id), out var known))
            return null;
        var order = generator.Order(known.Index);
        HashSet<long> delivered;
        lock (known)
            delivered = [.. known.Delivered];

        JsonObject? document = null;
        var updates = new JsonArray();
        foreach (var kci in order.Kcis.OrderBy(k => k.SequenceNumber))
        {
            var update = JsonNode.Parse(kci.Body)!.AsObject();
            if (update["entity"] is JsonObject entity)
                document = (JsonObject)entity.DeepClone(); // the last one wins: the latest full version of the order
            update.Remove("entityType");
            update.Remove("entity");
            update["deliveryStatus"] = !known.Withheld.Contains(kci.SequenceNumber) && delivered.Contains(kci.SequenceNumber) ? "DELIVERED" : "PENDING";
            updates.Add(update);
        }
        document ??= [];
        document["updates"] = updates;

        var now = clock.GetUtcNow();
        lock (known)
        {
            known.OkReads++;
            foreach (var kci in order.Kcis)
                known.FirstServed.TryAdd(kci.SequenceNumber, now);
        }
        return document;
    }

    private Known? Find(string entityType, long entityId) =>
        OrderReads.For(entityType) is { } read && _orders.TryGetValue((read, Id(entityId)), out var known) ? known : null;

    private static string Id(long entityId) => entityId.ToString(CultureInfo.InvariantCulture);

    private sealed class Known(int index, IReadOnlySet<long> withheld)
    {
        public int Index { get; } = index;
        public IReadOnlySet<long> Withheld { get; } = withheld;
        public HashSet<long> Delivered { get; } = [];
        public Dictionary<long, DateTimeOffset> FirstServed { get; } = [];
        public int OkReads;
    }
}
