namespace Kci.GatewaySimulator.Journeys;

/// <summary>One update in a journey: what the gateway says and the entity status it leaves.</summary>
internal sealed record Step(string UpdateType, string Type, string Status, string? Code = null, string? Text = null)
{
    public static Step Info(string type, string status, string? code = null, string? text = null) => new("INFORMATIONAL", type, status, code, text);
    public static Step Action(string type, string status, string code, string text) => new("ACTION_REQUIRED", type, status, code, text);
    public static Step Error(string code) => new("ERROR", code, "FAILED_TO_SEND", code);
}
