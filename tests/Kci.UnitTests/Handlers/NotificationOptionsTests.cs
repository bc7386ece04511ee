using Kci.Handlers.Notifications;

namespace Kci.UnitTests.Handlers;

/// <summary>A malformed subscription stops Handlers at start with a clear message, rather than failing every delivery.</summary>
public class When_notification_subscriptions_are_validated
{
    private static NotificationOptions With(string name, string url, string? header = null) => new()
    {
        Subscriptions = [new NotificationSubscription { Name = name, Url = new Uri(url, UriKind.RelativeOrAbsolute), AuthorizationHeader = header }],
    };

    [Fact]
    public void Should_accept_a_well_formed_subscription() =>
        Assert.True(new NotificationOptionsValidator().Validate(null, With("crm", "https://crm.example.co.uk/kci", "Bearer abc.def")).Succeeded);

    [Theory]
    [InlineData("crm", "/relative", null, "Url must be an absolute http or https URL")]
    [InlineData("crm", "ftp://files.example.co.uk/", null, "Url must be an absolute http or https URL")]
    [InlineData("crm", "https://crm.example.co.uk/", "Bearer abc\ndef", "AuthorizationHeader must be a valid")]
    [InlineData("crm", "https://crm.example.co.uk/", "", "AuthorizationHeader must be a valid")]
    [InlineData("", "https://crm.example.co.uk/", null, "Name is required")]
    public void Should_refuse_a_malformed_subscription_naming_it(string name, string url, string? header, string expected)
    {
        var result = new NotificationOptionsValidator().Validate(null, With(name, url, header));
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Notifications:Subscriptions:0:", StringComparison.Ordinal) && f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Should_refuse_two_subscriptions_of_one_name()
    {
        var options = With("crm", "https://a.example.co.uk/");
        options.Subscriptions.Add(new NotificationSubscription { Name = "crm", Url = new Uri("https://b.example.co.uk/") });
        Assert.Contains(new NotificationOptionsValidator().Validate(null, options).Failures!, f => f.Contains("used twice", StringComparison.Ordinal));
    }
}
