namespace Kci.Ingress.Kcis;

/// <summary>The gateway's error body: exactly <c>{uuid, code, messages[]}</c> (Tenant Updates API v1.14).</summary>
public sealed record KciError(string Uuid, string Code, IReadOnlyList<string> Messages)
{
    public static KciError Create(string code, IReadOnlyList<string> messages) => new(Guid.NewGuid().ToString(), code, messages);
}
