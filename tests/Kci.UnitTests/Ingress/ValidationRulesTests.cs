using System.Text.Json;
using System.Text.Json.Nodes;
using Kci.Ingress.Kcis;
using Kci.Hosting.Kcis;

namespace Kci.UnitTests.Ingress;

public class When_a_kci_body_is_validated
{
    private static readonly string[] NoHeaderProblems = [];

    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "samples"), "*.json"))
            data.Add(Path.GetFileName(file));
        return data;
    }

    private static JsonObject Sample(string name = "provide-order-informational.json") =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", name)))!.AsObject();

    private static KciValidation Validate(JsonNode body)
    {
        using var document = JsonDocument.Parse(body.ToJsonString());
        return KciValidator.Validate(document.RootElement, NoHeaderProblems);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Should_accept_every_sample(string sample)
    {
        var result = Validate(Sample(sample));
        Assert.True(result.Kci is not null, $"{sample}: {string.Join("; ", result.Problems)}");
    }

    [Fact]
    public void Should_take_the_order_key_from_entity_type_and_id()
    {
        var kci = Validate(Sample()).Kci!;
        Assert.Equal("PROVIDE_ORDER/123", kci.Order.ToString());
        Assert.Equal(1, kci.SequenceNumber);
        Assert.Equal("CREATED", kci.PayloadType);
    }

    [Theory]
    [InlineData("id", "id: is required")]
    [InlineData("supplier", "supplier: is required")]
    [InlineData("sequenceNumber", "sequenceNumber: is required")]
    [InlineData("deliveredOn", "deliveredOn: is required")]
    [InlineData("updateType", "updateType: is required")]
    [InlineData("information", "information: is required for this updateType")]
    [InlineData("entityType", "entityType: is required")]
    [InlineData("entity", "entity: is required")]
    public void Should_answer_400_invalid_request_for_a_missing_field(string field, string message)
    {
        var body = Sample();
        body.Remove(field);
        var result = Validate(body);

        Assert.Equal(400, result.Status);
        Assert.Equal(KciErrorCodes.InvalidRequest, result.Code);
        Assert.Contains(message, result.Problems);
    }

    [Fact]
    public void Should_answer_400_invalid_request_for_a_missing_entity_id()
    {
        var body = Sample();
        body["entity"]!.AsObject().Remove("id");
        var result = Validate(body);
        Assert.Equal((400, KciErrorCodes.InvalidRequest), (result.Status, result.Code));
        Assert.Contains("entity.id: is required", result.Problems);
    }

    [Theory]
    [InlineData("id", "not-a-uuid", "id: must be a UUID")]
    [InlineData("supplier", "SUPPLIER-1", "supplier: must match ^\\w{1,20}$")]
    [InlineData("supplier", "ABCDEFGHIJKLMNOPQRSTU", "supplier: must match ^\\w{1,20}$")]
    [InlineData("deliveredOn", "2022-01-10", "deliveredOn: must be an RFC 3339 date-time")]
    [InlineData("issuedOn", "yesterday", "issuedOn: must be an RFC 3339 date-time")]
    public void Should_answer_422_for_a_value_breaking_a_rule(string field, string value, string message)
    {
        var body = Sample();
        body[field] = value;
        var result = Validate(body);

        Assert.Equal(422, result.Status);
        Assert.Equal(KciErrorCodes.InvalidRequest, result.Code);
        Assert.Equal([message], result.Problems);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("1.5")]
    [InlineData("9007199254740992")] // 2^53
    [InlineData("9223372036854775807")] // 2^63 - 1
    [InlineData("9223372036854775808")]
    [InlineData("1e300")]
    [InlineData("-9223372036854775808")]
    public void Should_answer_422_for_a_sequence_number_outside_1_to_2_pow_53_minus_1(string number)
    {
        var body = Sample();
        body["sequenceNumber"] = JsonNode.Parse(number);
        var result = Validate(body);
        Assert.Equal(422, result.Status);
        Assert.Equal(["sequenceNumber: must be an integer from 1 to 9007199254740991"], result.Problems);
    }

    [Theory]
    [InlineData("1", 1L)]
    [InlineData("1000000000000001", 1_000_000_000_000_001L)]
    [InlineData("9007199254740991", 9_007_199_254_740_991L)]
    [InlineData("9007199254740991.0", 9_007_199_254_740_991L)]
    public void Should_accept_every_sequence_number_from_1_to_2_pow_53_minus_1(string number, long expected)
    {
        var body = Sample();
        body["sequenceNumber"] = JsonNode.Parse(number);
        Assert.Equal(expected, Validate(body).Kci!.SequenceNumber);
    }

    [Fact]
    public void Should_accept_a_whole_sequence_number_written_with_a_fraction()
    {
        var body = Sample();
        body["sequenceNumber"] = JsonNode.Parse("7.0");
        Assert.Equal(7, Validate(body).Kci!.SequenceNumber);
    }

    [Fact]
    public void Should_answer_422_for_an_empty_payload_type()
    {
        var body = Sample();
        body["information"]!["type"] = " ";
        var result = Validate(body);
        Assert.Equal(422, result.Status);
        Assert.Equal(["information.type: must not be empty"], result.Problems);
    }

    [Theory]
    [InlineData("uuid")]
    [InlineData("code")]
    [InlineData("messages")]
    public void Should_answer_422_for_an_error_payload_without_a_required_field(string field)
    {
        var body = Sample("provide-order-error.json");
        body["error"]!.AsObject().Remove(field);
        var result = Validate(body);
        Assert.Equal(422, result.Status);
        Assert.Equal([$"error.{field}: is required"], result.Problems);
    }

    [Theory]
    [InlineData("sequenceNumber", "\"1\"", "sequenceNumber: must be a number")]
    [InlineData("id", "42", "id: must be a string")]
    [InlineData("entity", "[]", "entity: must be an object")]
    [InlineData("information", "\"CREATED\"", "information: must be an object")]
    [InlineData("supplierNotes", "{}", "supplierNotes: must be an array")]
    public void Should_answer_400_malformed_for_a_field_of_the_wrong_json_type(string field, string json, string message)
    {
        var body = Sample();
        body[field] = JsonNode.Parse(json);
        var result = Validate(body);
        Assert.Equal(400, result.Status);
        Assert.Equal(KciErrorCodes.MalformedRequest, result.Code);
        Assert.Contains(message, result.Problems);
    }

    [Fact]
    public void Should_answer_400_malformed_for_a_body_that_is_not_an_object()
    {
        using var document = JsonDocument.Parse("[1,2]");
        var result = KciValidator.Validate(document.RootElement, NoHeaderProblems);
        Assert.Equal((400, KciErrorCodes.MalformedRequest), (result.Status, result.Code));
    }

    [Fact]
    public void Should_report_every_problem_at_once_without_echoing_values()
    {
        var body = Sample();
        body["id"] = "secret-looking-value";
        body["supplier"] = "bad supplier!";
        body["sequenceNumber"] = 0;
        var result = Validate(body);

        Assert.Equal(3, result.Problems.Count);
        Assert.DoesNotContain(result.Problems, p => p.Contains("secret-looking-value", StringComparison.Ordinal) || p.Contains("bad supplier", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("updateType", "SOMETHING_NEW")]
    [InlineData("entityType", "BROADBAND_UPGRADE_ORDER")]
    public void Should_accept_an_unknown_enum_value(string field, string value)
    {
        var body = Sample();
        body[field] = value;
        var result = Validate(body);
        Assert.True(result.Kci is not null, string.Join("; ", result.Problems));
    }

    [Theory]
    [InlineData("updateType")]
    [InlineData("entityType")]
    public void Should_answer_422_for_an_enum_value_no_enum_could_have(string field)
    {
        var body = Sample();
        body[field] = new string('X', 101);
        var result = Validate(body);
        Assert.Equal(422, result.Status);
        Assert.Equal([$"{field}: must be at most 100 characters without control characters"], result.Problems);
    }

    [Fact]
    public void Should_accept_an_unknown_payload_type_and_unknown_fields()
    {
        var body = Sample();
        body["information"]!["type"] = "SOMETHING_NEW";
        body["brandNewField"] = new JsonObject { ["x"] = 1 };
        Assert.NotNull(Validate(body).Kci);
    }

    [Theory]
    [InlineData(null, "X-Request-ID: header is required")]
    [InlineData("", "X-Request-ID: header is required")]
    [InlineData("a\u0001b", "X-Request-ID: must not contain control characters")]
    public void Should_reject_a_bad_request_id_header(string? value, string message)
    {
        Assert.Equal([message], KciValidator.CheckHeader("X-Request-ID", value));
    }

    [Fact]
    public void Should_reject_a_header_over_200_characters()
    {
        Assert.Equal(["X-Conversation-ID: must be at most 200 characters"], KciValidator.CheckHeader("X-Conversation-ID", new string('c', 201)));
    }
}
