using System.Text.Json;
using Kci.GatewaySimulator;
using Kci.GatewaySimulator.Journeys;
using Kci.Ingress.Kcis;
using Kci.Hosting.Kcis;

namespace Kci.UnitTests.Simulator;

public class When_the_simulator_plans_journeys
{
    private static readonly string[] NoHeaderProblems = [];

    private static List<PlannedOrder> Plan(int orders = 300, int seed = 42, int shuffle = 0, double duplicates = 0, double gaps = 0, int perOrder = 0) =>
        new JourneyGenerator(new SimulatorOptions { Orders = orders, Seed = seed, Shuffle = shuffle, DuplicateRate = duplicates, GapRate = gaps, KcisPerOrder = perOrder })
            .Orders().ToList();

    private static JsonElement Body(PlannedKci kci) => JsonDocument.Parse(kci.Body).RootElement;

    [Fact]
    public void Should_plan_the_same_kcis_for_the_same_seed()
    {
        var first = Plan(seed: 7, shuffle: 3, duplicates: 0.2, gaps: 0.1);
        var second = Plan(seed: 7, shuffle: 3, duplicates: 0.2, gaps: 0.1);

        Assert.Equal(first.Select(o => o.Key), second.Select(o => o.Key));
        Assert.True(first.Zip(second).All(pair => pair.First.Sends.Select(s => s.Kci.Body).Zip(pair.Second.Sends.Select(s => s.Kci.Body)).All(b => b.First.AsSpan().SequenceEqual(b.Second))));
    }

    [Fact]
    public void Should_plan_other_orders_and_kcis_for_another_seed()
    {
        var first = Plan(seed: 7);
        var second = Plan(seed: 8);

        Assert.Empty(first.Select(o => o.Key).Intersect(second.Select(o => o.Key)));
        Assert.Empty(first.SelectMany(o => o.Kcis).Select(k => k.Id).Intersect(second.SelectMany(o => o.Kcis).Select(k => k.Id)));
    }

    [Fact]
    public void Should_make_every_body_one_the_ingress_accepts()
    {
        foreach (var kci in Plan(orders: 400).SelectMany(o => o.Kcis))
        {
            using var document = JsonDocument.Parse(kci.Body);
            var result = KciValidator.Validate(document.RootElement, NoHeaderProblems);
            Assert.True(result.Kci is not null, $"{kci.UpdateType} {kci.PayloadType}: {string.Join("; ", result.Problems)}");
        }
    }

    [Fact]
    public void Should_play_every_journey_the_gateway_sends()
    {
        var journeys = Plan(orders: 400).GroupBy(o => o.Journey).ToDictionary(g => g.Key, g => g.ToList());

        Assert.Equal(["cease", "gateway-error", "modify", "provide", "service-problem", "unsolicited-cease"], journeys.Keys.Order());
        foreach (var provide in journeys["provide"])
        {
            var types = provide.Kcis.Select(k => k.PayloadType).ToList();
            Assert.Equal(["UPDATE", "ACKNOWLEDGED", "COMMITTED"], types.Take(3));
            Assert.Equal("COMPLETED", types[^1]);
            AssertFollowedBy(types, "DELAY", "RESUMED");
            AssertFollowedBy(types, "REAPPOINT", "REAPPOINTED");
            AssertFollowedBy(types, "INFORMATION_REQUIRED", "AMENDED");
        }
        var provideTypes = journeys["provide"].SelectMany(o => o.Kcis).Select(k => k.PayloadType).ToHashSet();
        Assert.Superset(new HashSet<string> { "DELAY", "RESUMED", "REAPPOINT", "REAPPOINTED", "INFORMATION_REQUIRED", "AMENDED" }, provideTypes);
        Assert.All(journeys["service-problem"], o => Assert.Equal(("ACTION_REQUIRED", "CONFIRM"), (o.Kcis[^1].UpdateType, o.Kcis[^1].PayloadType)));
        Assert.All(journeys["unsolicited-cease"], o => Assert.Equal("CREATED", o.Kcis[0].PayloadType));
        Assert.All(journeys["gateway-error"], o => Assert.Equal("ERROR", o.Kcis[0].UpdateType));
    }

    private static void AssertFollowedBy(List<string> types, string first, string then)
    {
        var at = types.IndexOf(first);
        if (at >= 0)
            Assert.Equal(then, types[at + 1]);
    }

    [Fact]
    public void Should_leave_issued_and_received_times_off_the_gateways_own_errors()
    {
        var errors = Plan(orders: 400).SelectMany(o => o.Kcis).Where(k => k.UpdateType == "ERROR").Select(Body).ToList();

        Assert.NotEmpty(errors);
        Assert.All(errors, body =>
        {
            Assert.False(body.TryGetProperty("issuedOn", out _));
            Assert.False(body.TryGetProperty("receivedOn", out _));
            Assert.Equal("FAILED_TO_SEND", body.GetProperty("entity").GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Array, body.GetProperty("error").GetProperty("messages").ValueKind);
        });
    }

    [Fact]
    public void Should_fill_orders_with_realistic_values()
    {
        var provide = Plan().First(o => o.Journey == "provide");
        var entity = Body(provide.Kcis[2]).GetProperty("entity");

        Assert.Equal(provide.EntityId, entity.GetProperty("id").GetInt64());
        Assert.Matches(@"^\d{12}$", entity.GetProperty("address").GetProperty("additionalIdentifiers")[0].GetProperty("id").GetString()!);
        Assert.Matches(@"^01632 960\d{3}$", entity.GetProperty("primaryContact").GetProperty("phoneNumber").GetString()!);
        Assert.EndsWith("@example.co.uk", entity.GetProperty("primaryContact").GetProperty("email").GetString()!, StringComparison.Ordinal);
        Assert.Equal("IN_PROGRESS", entity.GetProperty("status").GetString());
        Assert.True(entity.TryGetProperty("committedDate", out _), "COMMITTED sets the committed date");
        var slot = entity.GetProperty("appointmentTimeslot");
        Assert.Equal(5, (slot.GetProperty("timeslotEndDateTime").GetDateTimeOffset() - slot.GetProperty("timeslotStartDateTime").GetDateTimeOffset()).TotalHours);
    }

    [Fact]
    public void Should_number_each_order_from_one_and_keep_its_conversation()
    {
        foreach (var order in Plan())
        {
            Assert.Equal(Enumerable.Range(1, order.Kcis.Count).Select(n => (long)n), order.Kcis.Select(k => k.SequenceNumber));
            Assert.True(Guid.TryParse(order.ConversationId, out _));
            Assert.All(order.Kcis, k => Assert.Equal(order.EntityType, Body(k).GetProperty("entityType").GetString()));
        }
    }

    [Fact]
    public void Should_give_every_order_exactly_the_kcis_asked_for()
    {
        var orders = Plan(orders: 50, perOrder: 5);

        Assert.All(orders, o => Assert.Equal(["UPDATE", "ACKNOWLEDGED", "COMMITTED", "UPDATE", "COMPLETED"], o.Kcis.Select(k => k.PayloadType)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Should_never_move_a_kci_further_than_the_shuffle_allows(int shuffle)
    {
        var orders = Plan(orders: 200, shuffle: shuffle, perOrder: 8);
        var moved = 0;
        foreach (var order in orders)
        {
            var positions = order.Sends.Select((s, i) => (s.Kci.SequenceNumber, Place: i)).ToList();
            foreach (var (number, place) in positions)
            {
                Assert.InRange(place - (number - 1), -shuffle, shuffle);
                moved += place == number - 1 ? 0 : 1;
            }
        }
        Assert.Equal(shuffle == 0, moved == 0);
    }

    [Fact]
    public void Should_send_repeats_after_their_original_about_as_often_as_asked()
    {
        var orders = Plan(orders: 500, duplicates: 0.2, perOrder: 6);
        var repeats = 0;
        foreach (var order in orders)
        {
            foreach (var (send, place) in order.Sends.Select((s, i) => (s, i)).Where(x => x.s.Repeat))
            {
                repeats++;
                Assert.True(order.Sends.ToList().FindIndex(s => s.Kci == send.Kci && !s.Repeat) < place);
            }
            Assert.Equal(order.Kcis.Count, order.Sends.Count(s => !s.Repeat));
        }
        Assert.InRange(repeats / 3000.0, 0.17, 0.23);
    }

    [Fact]
    public void Should_hold_numbers_back_but_never_an_orders_last_and_expect_the_gap_on_the_next()
    {
        var orders = Plan(orders: 500, gaps: 0.2, perOrder: 6);

        Assert.InRange(orders.Sum(o => o.Withheld.Count) / 2500.0, 0.16, 0.24);
        foreach (var order in orders)
        {
            Assert.DoesNotContain((long)order.Kcis.Count, order.Withheld);
            Assert.DoesNotContain(order.Sends, s => order.Withheld.Contains(s.Kci.SequenceNumber));
            foreach (var expected in order.Expected())
            {
                var run = 0;
                for (var n = expected.SequenceNumber - 1; n >= 1 && order.Withheld.Contains(n); n--)
                    run++;
                Assert.Equal(run, expected.GapBefore);
            }
        }
    }
}
