using System.Diagnostics.CodeAnalysis;

namespace OrleansKms;

/// <summary>
/// The ARN of a KMS key: <c>arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID</c>, the partition being the region's
/// (<c>aws</c>, or <c>aws-cn</c> in China, <c>aws-us-gov</c> in GovCloud, ...). Also the grain key of a <c>KeyGrain</c>.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct KeyArn
{
    /// <summary>The regions' name prefixes of the AWS partitions other than <c>aws</c>, longest first.</summary>
    private static readonly (string RegionPrefix, string Partition)[] Partitions =
    [
        ("us-isob-", "aws-iso-b"), ("us-isof-", "aws-iso-f"), ("eu-isoe-", "aws-iso-e"), ("us-iso-", "aws-iso"),
        ("us-gov-", "aws-us-gov"), ("eusc-", "aws-eusc"), ("cn-", "aws-cn"),
    ];

    /// <summary>The partition of ARNs in <paramref name="region"/>: <c>aws-cn</c> for <c>cn-north-1</c>, <c>aws</c> for <c>us-east-1</c>.</summary>
    public static string PartitionOf(string region)
    {
        foreach (var (prefix, partition) in Partitions)
        {
            if (region.StartsWith(prefix, StringComparison.Ordinal)) return partition;
        }

        return "aws";
    }

    public KeyArn(string region, string accountId, string keyId)
    {
        Region = region;
        AccountId = accountId;
        KeyId = keyId;
        Value = $"arn:{PartitionOf(region)}:kms:{region}:{accountId}:key/{keyId}";
    }

    [Id(0)] public string Region { get; }
    [Id(1)] public string AccountId { get; }
    [Id(2)] public string KeyId { get; }
    [Id(3)] public string Value { get; }

    public override string ToString() => Value;

    /// <summary>Parses a key ARN; returns false for anything that is not of the key ARN form, or names another partition than its region's.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out KeyArn? arn)
    {
        arn = null;
        if (text is null || !text.StartsWith("arn:", StringComparison.Ordinal)) return false;
        var parts = text.Split(':', 6);
        if (parts.Length != 6 || parts[2] != "kms") return false;
        if (!parts[5].StartsWith("key/", StringComparison.Ordinal)) return false;
        var keyId = parts[5]["key/".Length..];
        if (parts[3].Length == 0 || parts[4].Length == 0 || !KeyIds.IsValid(keyId) || parts[1] != PartitionOf(parts[3])) return false;
        arn = new KeyArn(parts[3], parts[4], keyId);
        return true;
    }
}
