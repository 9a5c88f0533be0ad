namespace OrleansKms;

/// <summary>
/// Turns the <c>KeyId</c> a caller sent (key id, key ARN, alias name or alias ARN) into the key ARN it names,
/// with the errors AWS gives for each malformed or foreign form.
/// </summary>
public static class KeyReference
{
    public const string AliasPrefix = "alias/";

    /// <summary>True when the reference names an alias (alias name or alias ARN) rather than a key.</summary>
    public static bool IsAlias(string keyId) =>
        keyId.StartsWith(AliasPrefix, StringComparison.Ordinal)
        || (keyId.StartsWith("arn:", StringComparison.Ordinal) && keyId.Contains(":alias/", StringComparison.Ordinal));

    /// <summary>
    /// Resolves a key id (in the caller's account) or key ARN (of any account: whether the caller may use another
    /// account's key is its key policy's business) in this region. Aliases are not resolved here.
    /// </summary>
    public static KeyArn ResolveKey(string keyId, string accountId, string region)
    {
        if (KeyIds.IsValid(keyId)) return new KeyArn(region, accountId, keyId);
        if (KeyArn.TryParse(keyId, out var arn))
        {
            if (arn.Value.Region != region) throw new KmsException(KmsErrorCode.NotFoundException, $"Invalid arn {arn.Value.Region}");
            return arn.Value;
        }

        if (keyId.StartsWith("arn:", StringComparison.Ordinal))
            throw new KmsException(KmsErrorCode.NotFoundException, $"Invalid arn {keyId}");
        throw new KmsException(KmsErrorCode.NotFoundException, $"Invalid keyId '{keyId}'");
    }

    /// <summary>An alias of another account: AWS never resolves one (aliases are not shared across accounts).</summary>
    public static KmsException CrossAccount(string resourceArn) =>
        new(KmsErrorCode.AccessDeniedException, $"The caller is not authorized to use {resourceArn}: aliases cannot be used across accounts.");

    /// <summary>The alias ARN for an alias name or alias ARN.</summary>
    public static string AliasArn(string keyId, string accountId, string region) =>
        keyId.StartsWith("arn:", StringComparison.Ordinal) ? keyId : $"arn:{KeyArn.PartitionOf(region)}:kms:{region}:{accountId}:{keyId}";
}
