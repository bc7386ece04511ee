using System.Text.Json.Nodes;
using Kci.Handlers.Operations;
using Kci.Handlers.Pages.Console;
using Kci.Handlers.Privacy;

namespace Kci.UnitTests.Handlers;

public class When_personal_data_is_shown_to_an_operator_without_the_permission
{
    private static readonly string Sample = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "provide-order-action-reappoint.json"));

    [Fact]
    public void Should_mask_every_name_email_and_phone_number_of_the_contacts()
    {
        var masked = PersonalData.Mask(Sample)!;

        Assert.DoesNotContain("John Smith", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("john@smith.com", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("01234 567890", masked, StringComparison.Ordinal);
        var contact = JsonNode.Parse(masked)!["entity"]!["primaryContact"]!;
        Assert.Equal("J•••", contact["name"]!.GetValue<string>());
        Assert.Equal("j•••@•••", contact["email"]!.GetValue<string>());
        Assert.Equal("•••90", contact["phoneNumber"]!.GetValue<string>());
    }

    [Fact]
    public void Should_leave_what_is_not_personal_as_it_is()
    {
        var masked = JsonNode.Parse(PersonalData.Mask(Sample)!)!;
        var original = JsonNode.Parse(Sample)!;

        Assert.Equal(original["id"]!.ToJsonString(), masked["id"]!.ToJsonString());
        Assert.Equal(original["entity"]!["status"]!.ToJsonString(), masked["entity"]!["status"]!.ToJsonString());
        // Products and characteristics have names too; only a contact's name is a person's.
        Assert.Equal("FTTH", masked["entity"]!["serviceOrderItem"]!["serviceSpecification"]!["name"]!.GetValue<string>());
        Assert.Equal("LINE_PROFILE", masked["entity"]!["serviceOrderItem"]!["serviceCharacteristics"]![0]!["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("Engineer to call 07700 900123 before arrival", "07700 900123")]
    [InlineData("Call the site on +44 20 7946 0958.", "+44 20 7946 0958")]
    [InlineData("Contact jane.doe@example.co.uk about access", "jane.doe@example.co.uk")]
    [InlineData("Ring (01632) 960 001 after 5", "(01632) 960 001")]
    public void Should_mask_emails_and_phone_numbers_written_into_free_text(string text, string personal)
    {
        var masked = PersonalData.MaskText(text)!;

        Assert.DoesNotContain(personal, masked, StringComparison.Ordinal);
        Assert.DoesNotContain(personal, PersonalData.Mask(new JsonObject { ["notes"] = new JsonArray(text) }.ToJsonString())!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Appointment booked for order 123456543 at 09:00")]
    [InlineData("Reference 2022-01-10, slot AM")]
    public void Should_not_take_references_dates_and_times_for_phone_numbers(string text) =>
        Assert.Equal(text, PersonalData.MaskText(text));

    [Fact]
    public void Should_redact_contacts_for_good_when_retention_removes_them()
    {
        var redacted = JsonNode.Parse(PersonalData.Redact(JsonNode.Parse(Sample)!["entity"]!.ToJsonString())!)!;

        Assert.Equal("[redacted]", redacted["secondaryContact"]!["email"]!.GetValue<string>());
        Assert.Equal("[redacted]", redacted["primaryContact"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void Should_treat_a_stored_value_that_is_not_json_as_text() =>
        Assert.Equal("x j•••@••• y", PersonalData.Mask("x j@example.com y"));
}

public class When_a_console_action_names_its_target
{
    private static SequencerView View(Guid? blocked = null, GapTarget? gap = null, DateTimeOffset? parkedAt = null, Guid[]? dead = null) => new(
        "PROVIDE_ORDER", "42", "Waiting", 3, null, null, null, null, null, null, blocked is not null, parkedAt is not null, [], [], null,
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, new CommandTargets(blocked, dead ?? [], gap, parkedAt), null);

    [Fact]
    public void Should_carry_each_kind_of_target_through_the_form_unchanged()
    {
        var kci = Guid.NewGuid();
        var parkedAt = new DateTimeOffset(2026, 11, 26, 7, 1, 2, 345, TimeSpan.Zero).AddTicks(6789);

        var retry = BulkModel.Decode(BulkModel.TargetOf("retry", View(blocked: kci))!.Value.Encoded)!.Value;
        var skipGap = BulkModel.Decode(BulkModel.TargetOf("skip", View(gap: new GapTarget(3, 5)))!.Value.Encoded)!.Value;
        var unpark = BulkModel.Decode(BulkModel.TargetOf("unpark", View(parkedAt: parkedAt))!.Value.Encoded)!.Value;

        Assert.Equal(("PROVIDE_ORDER", "42", kci), (retry.EntityType, retry.EntityId, retry.Request.KciId!.Value));
        Assert.Equal(new GapTarget(3, 5), skipGap.Request.Gap);
        Assert.Equal(parkedAt, unpark.Request.ParkedAt);
    }

    [Fact]
    public void Should_leave_out_orders_the_command_does_not_apply_to()
    {
        Assert.Null(BulkModel.TargetOf("retry", View(gap: new GapTarget(3, 3))));
        Assert.Null(BulkModel.TargetOf("unpark", View(blocked: Guid.NewGuid())));
        Assert.Null(BulkModel.TargetOf("recover", View()));
    }

    [Theory]
    [InlineData("PROVIDE_ORDER|42|kci|not-a-guid")]
    [InlineData("PROVIDE_ORDER|42|gap|5")]
    [InlineData("PROVIDE_ORDER|42|parked|-1")]
    [InlineData("PROVIDE_ORDER|42|other|1")]
    [InlineData("PROVIDE_ORDER|42")]
    public void Should_refuse_a_target_it_cannot_read(string encoded) => Assert.Null(BulkModel.Decode(encoded));
}
