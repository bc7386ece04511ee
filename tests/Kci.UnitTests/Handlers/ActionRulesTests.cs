using Kci.Handlers.Persistence;
using Kci.Handlers.Recording;
using Kci.Messages;

namespace Kci.UnitTests.Handlers;

public class When_a_later_kci_arrives_for_an_order_with_an_open_action
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static ActionItem Open(string type, long sequenceNumber = 4) => new()
    {
        Id = Guid.NewGuid(), EntityType = "PROVIDE_ORDER", EntityId = "1", SequenceNumber = sequenceNumber,
        Type = type, WhatToDo = ActionRules.WhatToDo(type), CreatedAt = Now,
    };

    private static ReleasedKci Kci(long sequenceNumber, string updateType = "INFORMATIONAL", bool late = false) => new()
    {
        KciId = Guid.NewGuid(), OrderId = Guid.NewGuid(), Order = new OrderKey { EntityType = "PROVIDE_ORDER", EntityId = "1" },
        SequenceNumber = sequenceNumber, Supplier = "S", UpdateType = updateType, ConversationId = "c", RequestId = "r",
        ReceivedAt = Now, ReleasedAt = Now, Late = late, Body = "{}",
    };

    private static KciFacts Facts(string type, string? status = "IN_PROGRESS") => new() { PayloadType = type, EntityStatus = status };

    [Theory]
    [InlineData("REAPPOINT", "REAPPOINTED")]
    [InlineData("REAPPOINT", "COMMITTED")]
    [InlineData("INFORMATION_REQUIRED", "AMENDED")]
    [InlineData("RESUBMIT", "ACKNOWLEDGED")]
    [InlineData("RESUBMIT", "COMMITTED")]
    public void Should_resolve_it_when_the_kci_shows_it_was_dealt_with(string action, string answer)
    {
        var open = Open(action);
        var resolved = ActionRules.ResolvedByKci([open], Kci(5), Facts(answer)).ToList();
        Assert.Single(resolved);
        Assert.Contains(answer, resolved[0].Resolution, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REAPPOINT", "AMENDED")]
    [InlineData("INFORMATION_REQUIRED", "COMMITTED")]
    [InlineData("RESUBMIT", "DELAY")]
    [InlineData("CONFIRM", "UPDATE")]
    public void Should_leave_it_open_for_an_unrelated_kci(string action, string other) =>
        Assert.Empty(ActionRules.ResolvedByKci([Open(action)], Kci(5), Facts(other)));

    [Theory]
    [InlineData("COMPLETED")]
    [InlineData("CANCELLED")]
    [InlineData("FAILED_TO_SEND")]
    public void Should_resolve_every_open_action_when_the_order_reaches_a_final_state(string status)
    {
        var actions = new[] { Open("CONFIRM"), Open("REVIEW_CEASE"), Open("SOMETHING_NEW") };
        Assert.Equal(3, ActionRules.ResolvedByKci(actions, Kci(5), Facts("UPDATE", status)).Count());
    }

    [Fact]
    public void Should_not_let_a_late_or_earlier_kci_resolve_it()
    {
        Assert.Empty(ActionRules.ResolvedByKci([Open("REAPPOINT")], Kci(5, late: true), Facts("REAPPOINTED")));
        Assert.Empty(ActionRules.ResolvedByKci([Open("REAPPOINT", sequenceNumber: 6)], Kci(5), Facts("REAPPOINTED")));
    }

    [Fact]
    public void Should_say_what_to_do_in_plain_words_even_for_an_unknown_action() =>
        Assert.Contains("BRAND_NEW", ActionRules.WhatToDo("BRAND_NEW"), StringComparison.Ordinal);

    [Fact]
    public void Should_open_a_review_with_its_deadline_for_an_unsolicited_cease()
    {
        var kci = Kci(1) with { Order = new OrderKey { EntityType = "UNSOLICITED_CEASE_ORDER", EntityId = "789" } };
        var review = ActionRules.ForUnsolicitedCease(kci, new KciFacts { PayloadType = "CREATED", RequestedCeaseDate = "2022-04-25" }, Now);
        Assert.NotNull(review);
        Assert.Equal("REVIEW_CEASE", review.Type);
        Assert.Equal("2022-04-25", review.DueBy);
        Assert.Contains("2022-04-25", review.WhatToDo, StringComparison.Ordinal);
    }
}
