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

    /// <summary>Resolves a key id or key ARN in the caller's account and this region. Aliases are not resolved here.</summary>
    public static KeyArn ResolveKey(string keyId, string accountId, string region)
    {
        if (KeyIds.IsValid(keyId)) return new KeyArn(region, accountId, keyId);
        if (KeyArn.TryParse(keyId, out var arn))
        {
            if (arn.Value.Region != region) throw new KmsException(KmsErrorCode.NotFoundException, $"Invalid arn {arn.Value.Region}");
            if (arn.Value.AccountId != accountId) throw CrossAccount(arn.Value.Value);
            return arn.Value;
        }

        if (keyId.StartsWith("arn:", StringComparison.Ordinal))
            throw new KmsException(KmsErrorCode.NotFoundException, $"Invalid arn {keyId}");
        throw new KmsException(KmsErrorCode.NotFoundException, $"Invalid keyId '{keyId}'");
    }

    /// <summary>
    /// Keys of another account are reachable only through a key policy that allows it; key policies are not
    /// evaluated yet, so every cross-account use is denied, as AWS denies it under a default key policy.
    /// </summary>
    public static KmsException CrossAccount(string resourceArn) =>
        new(KmsErrorCode.AccessDeniedException, $"The caller is not authorized to use {resourceArn}: no key policy allows access from another account.");

    /// <summary>The alias ARN for an alias name or alias ARN.</summary>
    public static string AliasArn(string keyId, string accountId, string region) =>
        keyId.StartsWith("arn:", StringComparison.Ordinal) ? keyId : $"arn:{KeyArn.PartitionOf(region)}:kms:{region}:{accountId}:{keyId}";
}
