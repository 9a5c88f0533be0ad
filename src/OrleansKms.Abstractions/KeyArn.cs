using System.Diagnostics.CodeAnalysis;

namespace OrleansKms;

/// <summary>
/// The ARN of a KMS key: <c>arn:aws:kms:REGION:ACCOUNT:key/KEY-ID</c>. Also the grain key of a <c>KeyGrain</c>.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct KeyArn
{
    public const string Partition = "aws";

    public KeyArn(string region, string accountId, string keyId)
    {
        Region = region;
        AccountId = accountId;
        KeyId = keyId;
        Value = $"arn:{Partition}:kms:{region}:{accountId}:key/{keyId}";
    }

    [Id(0)] public string Region { get; }
    [Id(1)] public string AccountId { get; }
    [Id(2)] public string KeyId { get; }
    [Id(3)] public string Value { get; }

    public override string ToString() => Value;

    /// <summary>Parses a key ARN; returns false for anything that is not of the key ARN form.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out KeyArn? arn)
    {
        arn = null;
        if (text is null || !text.StartsWith("arn:", StringComparison.Ordinal)) return false;
        var parts = text.Split(':', 6);
        if (parts.Length != 6 || parts[2] != "kms" || parts[1].Length == 0) return false;
        if (!parts[5].StartsWith("key/", StringComparison.Ordinal)) return false;
        var keyId = parts[5]["key/".Length..];
        if (parts[3].Length == 0 || parts[4].Length == 0 || !KeyIds.IsValid(keyId)) return false;
        arn = new KeyArn(parts[3], parts[4], keyId);
        return true;
    }
}
