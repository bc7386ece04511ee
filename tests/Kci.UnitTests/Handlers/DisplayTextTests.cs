using System.Text.Json;
using Kci.Handlers.Recording;

namespace Kci.UnitTests.Handlers;

/// <summary>Values derived from a body are cleaned for PostgreSQL and a screen; the body itself is never touched.</summary>
public class When_a_kci_carries_unusual_characters
{
    [Theory]
    [InlineData("a\0b", "ab")]
    [InlineData("line\u0001feed\u007f", "line feed ")]
    [InlineData("tab\tnew\nline\r", "tab\tnew\nline\r")]
    [InlineData("\u202Eevil\u202C \u2066iso\u2069", "evil iso")]
    [InlineData("pair \U0001F600 kept", "pair \U0001F600 kept")]
    public void Should_drop_nul_and_bidi_controls_blank_other_controls_and_replace_lone_surrogates(string value, string expected) =>
        Assert.Equal(expected, DisplayText.Clean(value, DisplayText.LongText));

    [Fact]
    public void Should_replace_a_lone_surrogate_with_the_replacement_character()
    {
        // Built here rather than given as theory data: a lone surrogate does not survive the test runner's serialisation.
        Assert.Equal("lone \uFFFD high", DisplayText.Clean("lone " + '\uD800' + " high", DisplayText.LongText));
        Assert.Equal("lone \uFFFD low", DisplayText.Clean("lone " + '\uDC00' + " low", DisplayText.LongText));
        Assert.Equal("\uFFFD\uFFFD", DisplayText.Clean(new string(['\uDE00', '\uD83D']), DisplayText.LongText));
    }

    [Fact]
    public void Should_cut_a_long_value_to_its_column_and_say_so()
    {
        var cleaned = DisplayText.Clean(new string('x', 250_000), DisplayText.ShortValue)!;
        Assert.Equal(DisplayText.ShortValue + 1, cleaned.Length);
        Assert.EndsWith("…", cleaned, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_never_split_a_surrogate_pair_when_cutting()
    {
        var cleaned = DisplayText.Clean(new string('x', DisplayText.ShortValue - 1) + "\U0001F600tail", DisplayText.ShortValue)!;
        Assert.DoesNotContain(cleaned, char.IsSurrogate);
    }

    [Fact]
    public void Should_rewrite_json_for_jsonb_without_nul_escapes_keeping_its_shape()
    {
        using var document = JsonDocument.Parse("""{"notes":"call\u0000me","n\u0000ame":[1,true,null,"\u202Ex"],"nested":{"k":"v"}}""");
        var cleaned = DisplayText.CleanJson(document.RootElement)!;

        Assert.DoesNotContain("\\u0000", cleaned, StringComparison.Ordinal);
        using var again = JsonDocument.Parse(cleaned);
        Assert.Equal("callme", again.RootElement.GetProperty("notes").GetString());
        Assert.Equal("x", again.RootElement.GetProperty("name")[3].GetString());
        Assert.Equal(JsonValueKind.True, again.RootElement.GetProperty("name")[1].ValueKind);
        Assert.Equal("v", again.RootElement.GetProperty("nested").GetProperty("k").GetString());
    }

    [Fact]
    public void Should_leave_a_plain_value_as_it_is() =>
        Assert.Equal("Engineer booked, 08:00-13:00 — ok", DisplayText.Clean("Engineer booked, 08:00-13:00 — ok", DisplayText.LongText));
}
