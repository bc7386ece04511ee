using System.Text.Json;
using Kci.Ingress.Kcis;
using Kci.Hosting.Kcis;

namespace Kci.UnitTests.Ingress;

/// <summary>Which characters the ingress accepts (and so promises to store and handle), and which it refuses up front.</summary>
public class When_a_kci_body_holds_unusual_characters
{
    private static readonly string[] NoHeaderProblems = [];

    private static string Sample() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "provide-order-informational.json"));

    /// <summary>The sample with <paramref name="escaped"/> (JSON escape text) put into its entity's notes.</summary>
    private static KciValidation ValidateWithNotes(string escaped)
    {
        var body = Sample();
        var at = body.IndexOf("\"entity\"", StringComparison.Ordinal);
        var brace = body.IndexOf('{', at);
        body = body[..(brace + 1)] + $"\"notes\":\"{escaped}\"," + body[(brace + 1)..];
        using var document = JsonDocument.Parse(body);
        return KciValidator.Validate(document.RootElement, NoHeaderProblems);
    }

    [Theory]
    [InlineData("call\\u0000me")] // NUL
    [InlineData("bell\\u0007 esc\\u001b del\\u007f c1\\u0085")] // control characters
    [InlineData("\\u202Egnirts desrever\\u202C \\u2066isolate\\u2069")] // bidirectional overrides and isolates
    [InlineData("emoji \\uD83D\\uDE00 as a pair")] // a surrogate pair is a character
    [InlineData("zero\\u200Bwidth \\uFEFF bom")]
    public void Should_accept_valid_json_text_whatever_its_characters(string escaped)
    {
        var result = ValidateWithNotes(escaped);
        Assert.True(result.Kci is not null, string.Join("; ", result.Problems));
    }

    [Theory]
    [InlineData("lone \\uD800 high")]
    [InlineData("lone \\uDC00 low")]
    [InlineData("reversed \\uDE00\\uD83D pair")]
    [InlineData("lower case \\udbff alone")]
    [InlineData("after an escaped backslash \\\\ then \\ud9ab")]
    public void Should_refuse_an_unpaired_surrogate_with_422_naming_where_it_is(string escaped)
    {
        var result = ValidateWithNotes(escaped);

        Assert.Null(result.Kci);
        Assert.Equal(422, result.Status);
        Assert.Equal(KciErrorCodes.InvalidRequest, result.Code);
        Assert.Equal(["entity.notes: contains an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF without its pair)"], result.Problems);
    }

    [Fact]
    public void Should_refuse_an_unpaired_surrogate_in_a_property_name()
    {
        var body = "{\"x\\uD800\":1," + Sample().TrimStart()[1..];
        using var document = JsonDocument.Parse(body);
        var result = KciValidator.Validate(document.RootElement, NoHeaderProblems);
        Assert.Equal(422, result.Status);
        Assert.Contains("unpaired UTF-16 surrogate", result.Problems.Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain text, \\n and \\u00e9 escapes", false)]
    [InlineData("a pair \\uD83D\\uDE00", true)]
    [InlineData("lower case \\udfff", true)]
    [InlineData("an escaped backslash before ud800: \\\\ud800", true)] // a false alarm: the walk then finds nothing
    [InlineData("\\u0044800 reads D800 as text", false)]
    public void Should_look_for_surrogates_only_where_an_escape_could_make_one(string escaped, bool mayHold)
    {
        Assert.Equal(mayHold, KciValidator.MayHoldSurrogateEscape(System.Text.Encoding.UTF8.GetBytes($"{{\"notes\":\"{escaped}\"}}")));
        if (!mayHold)
            Assert.NotNull(ValidateWithNotes(escaped).Kci);
    }
}
