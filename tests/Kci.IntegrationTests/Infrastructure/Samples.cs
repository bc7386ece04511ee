using System.Text.Json.Nodes;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>The gateway's sample bodies, made into KCIs of an order of the test's own.</summary>
public static class Samples
{
    public static JsonObject Load(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", name)))!.AsObject();

    /// <summary>An order id no other test uses.</summary>
    public static long NewEntityId() => Random.Shared.NextInt64(1_000_000, long.MaxValue / 2);

    public static JsonObject Kci(string sample, long entityId, long sequenceNumber, Guid? id = null)
    {
        var body = Load(sample);
        body["id"] = (id ?? Guid.NewGuid()).ToString();
        body["sequenceNumber"] = sequenceNumber;
        body["entity"]!["id"] = entityId;
        return body;
    }
}
