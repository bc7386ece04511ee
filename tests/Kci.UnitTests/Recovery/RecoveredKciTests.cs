using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kci.Sequencer.Recovery;

namespace Kci.UnitTests.Recovery;

/// <summary>How a read of the gateway's order becomes KCIs (docs/gap-recovery.md).</summary>
public class When_a_gap_is_filled_from_the_gateways_order_read
{
    private const string EntityType = "PROVIDE_ORDER";
    private const int MaxBody = 256 * 1024;

    private static JsonObject Sample(long number, Guid? id = null)
    {
        var body = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "provide-order-informational.json")))!.AsObject();
        body["id"] = (id ?? Guid.NewGuid()).ToString();
        body["sequenceNumber"] = number;
        return body;
    }

    /// <summary>The read as the gateway answers it: the order (the last KCI's entity) with every KCI's own fields in updates[].</summary>
    private static JsonElement Read(params JsonObject[] kcis)
    {
        var order = kcis[^1]["entity"]!.DeepClone().AsObject();
        var updates = new JsonArray();
        foreach (var kci in kcis)
        {
            var update = kci.DeepClone().AsObject();
            update.Remove("entityType");
            update.Remove("entity");
            update["deliveryStatus"] = "PENDING";
            updates.Add(update);
        }
        order["updates"] = updates;
        return JsonDocument.Parse(order.ToJsonString()).RootElement;
    }

    [Fact]
    public void Should_rebuild_the_missing_KCI_from_its_update_and_the_order()
    {
        JsonObject[] kcis = [Sample(1), Sample(2), Sample(3)];

        var (recovered, refused) = RecoveredKcis.From(Read(kcis), EntityType, "123", new HashSet<long> { 2 }, new HashSet<Guid>(), MaxBody);

        Assert.Empty(refused);
        var kci = Assert.Single(recovered);
        Assert.Equal(2, kci.Kci.SequenceNumber);
        Assert.Equal(Guid.Parse(kcis[1]["id"]!.GetValue<string>()), kci.Kci.Id);
        var body = JsonNode.Parse(kci.Body)!.AsObject();
        Assert.Equal(EntityType, body["entityType"]!.GetValue<string>());
        Assert.Equal(123, body["entity"]!["id"]!.GetValue<long>());
        Assert.Null(body["entity"]!["updates"]);
        Assert.Equal("PENDING", body["deliveryStatus"]!.GetValue<string>());
        Assert.Equal(kcis[1]["information"]!.ToJsonString(), body["information"]!.ToJsonString());
    }

    [Fact]
    public void Should_take_only_missing_numbers_with_ids_the_order_does_not_know()
    {
        var known = Guid.NewGuid();
        JsonObject[] kcis = [Sample(1), Sample(2, known), Sample(3), Sample(4)];

        var (recovered, _) = RecoveredKcis.From(Read(kcis), EntityType, "123", new HashSet<long> { 2, 4 }, new HashSet<Guid> { known }, MaxBody);

        Assert.Equal([4L], recovered.Select(r => r.Kci.SequenceNumber));
    }

    [Fact]
    public void Should_refuse_an_update_that_is_not_a_valid_KCI_naming_the_field_but_never_its_value()
    {
        var broken = Sample(2);
        broken["supplier"] = "no spaces allowed here";

        var (recovered, refused) = RecoveredKcis.From(Read(Sample(1), broken, Sample(3)), EntityType, "123", new HashSet<long> { 2 }, new HashSet<Guid>(), MaxBody);

        Assert.Empty(recovered);
        var why = Assert.Single(refused);
        Assert.Equal(2, why.SequenceNumber);
        Assert.Contains("supplier", why.Problems, StringComparison.Ordinal);
        Assert.DoesNotContain("no spaces allowed here", why.Problems, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_read_that_answers_for_another_order()
    {
        var (recovered, refused) = RecoveredKcis.From(Read(Sample(1), Sample(2)), EntityType, "999", new HashSet<long> { 2 }, new HashSet<Guid>(), MaxBody);

        Assert.Empty(recovered);
        Assert.Contains("another order", Assert.Single(refused).Problems, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_an_update_larger_than_the_ingress_would_take()
    {
        var huge = Sample(2);
        huge["information"]!["text"] = new string('x', 2048);

        var (recovered, refused) = RecoveredKcis.From(Read(Sample(1), huge), EntityType, "123", new HashSet<long> { 2 }, new HashSet<Guid>(), maxBodyBytes: 2048);

        Assert.Empty(recovered);
        Assert.Contains("at most 2048 bytes", Assert.Single(refused).Problems, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"updates": {}}""")]
    [InlineData("""{"updates": [1, "two", null, {"sequenceNumber": "2"}, {"sequenceNumber": 1e400}]}""")]
    public void Should_find_nothing_in_a_read_of_an_unexpected_shape(string read)
    {
        var (recovered, refused) = RecoveredKcis.From(JsonDocument.Parse(read).RootElement, EntityType, "123", new HashSet<long> { 2 }, new HashSet<Guid>(), MaxBody);

        Assert.Empty(recovered);
        Assert.Empty(refused);
    }

    [Theory]
    [InlineData("PROVIDE_ORDER", "service-orders/42")]
    [InlineData("MODIFY_ORDER", "service-orders/42")]
    [InlineData("CEASE_ORDER", "service-orders/42")]
    [InlineData("UNSOLICITED_CEASE_ORDER", "service-orders/42")]
    [InlineData("SERVICE_TEST", "service-orders/42")]
    [InlineData("PROVIDE_ETHERNET_ORDER", "ethernet/service-orders/42")]
    [InlineData("SERVICE_PROBLEM", "service-problems/42")]
    public void Should_read_each_entity_type_from_its_gateway_read(string entityType, string path) =>
        Assert.Equal(path, GatewayClient.PathFor(entityType, "42"));

    [Fact]
    public void Should_escape_an_entity_id_in_the_read_path() =>
        Assert.Equal("service-orders/a%2F..%2Fb", GatewayClient.PathFor("PROVIDE_ORDER", "a/../b"));

    [Fact]
    public void Should_wait_as_Retry_After_asks_within_reason()
    {
        using var seconds = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        seconds.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
        using var tooLong = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        tooLong.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromHours(1));
        using var none = new HttpResponseMessage(HttpStatusCode.BadGateway);

        Assert.Equal(TimeSpan.FromSeconds(3), GatewayResilience.RetryAfter(seconds));
        Assert.Equal(TimeSpan.FromSeconds(30), GatewayResilience.RetryAfter(tooLong));
        Assert.Null(GatewayResilience.RetryAfter(none));
        Assert.True(GatewayResilience.IsTransient(none));
        Assert.False(GatewayResilience.IsTransient(new HttpResponseMessage(HttpStatusCode.NotFound)));
    }

    [Fact]
    public void Should_require_credentials_only_when_a_gateway_is_configured()
    {
        // As options validation runs it at start: every property read, the object's own rules applied.
        static List<string> Problems(GatewayOptions options)
        {
            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);
            return results.Select(r => r.ErrorMessage!).ToList();
        }

        Assert.Empty(Problems(new GatewayOptions()));
        Assert.Contains(Problems(new GatewayOptions { BaseUrl = new Uri("http://gateway.example/") }), p => p.Contains("ClientId", StringComparison.Ordinal));
        var configured = new GatewayOptions { BaseUrl = new Uri("http://gateway.example/tenant"), ClientId = "id", ClientSecret = "secret" };
        Assert.Empty(Problems(configured));
        Assert.Equal("http://gateway.example/tenant/oauth2/token", configured.EffectiveTokenUrl().ToString());
    }
}
