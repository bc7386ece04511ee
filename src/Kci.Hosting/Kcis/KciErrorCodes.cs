namespace Kci.Hosting.Kcis;

/// <summary>The gateway's error codes that Kci answers with (and the validator decides between).</summary>
public static class KciErrorCodes
{
    public const string MalformedRequest = "MALFORMED_REQUEST";
    public const string InvalidRequest = "INVALID_REQUEST";
    public const string NotAuthorised = "NOT_AUTHORISED";
    public const string TenantFault = "TENANT_FAULT";
}
