namespace OrleansKms.Encryption;

/// <summary>
/// A KMS key ARN, <c>arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID</c>, with the multi-Region rule of the keyring: two
/// ARNs of multi-Region keys (key id starting <c>mrk-</c>) name the same key when all but the Region are equal.
/// </summary>
internal sealed record KmsKeyArn(string Partition, string Region, string Account, string Resource)
{
    public bool IsMultiRegion => Resource.StartsWith("key/mrk-", StringComparison.Ordinal);

    public static KmsKeyArn? TryParse(string text)
    {
        var parts = text.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "kms" || parts[1].Length == 0 || parts[3].Length == 0 || parts[4].Length == 0)
            return null;
        if (!parts[5].StartsWith("key/", StringComparison.Ordinal) && !parts[5].StartsWith("alias/", StringComparison.Ordinal)) return null;
        if (parts[5].Length <= parts[5].IndexOf('/') + 1) return null;
        return new KmsKeyArn(parts[1], parts[3], parts[4], parts[5]);
    }

    /// <summary>Whether this key may decrypt what <paramref name="other"/> encrypted: the same ARN, or replicas of one multi-Region key.</summary>
    public bool Matches(KmsKeyArn other) =>
        this == other || (IsMultiRegion && other.IsMultiRegion && this with { Region = other.Region } == other);

    public KmsKeyArn InRegion(string region) => this with { Region = region };

    public override string ToString() => $"arn:{Partition}:kms:{Region}:{Account}:{Resource}";
}
