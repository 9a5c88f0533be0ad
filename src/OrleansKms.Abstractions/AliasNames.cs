namespace OrleansKms;

/// <summary>Alias names and alias ARNs: AWS's rules and the grain keys of alias grains.</summary>
public static class AliasNames
{
    public const string Prefix = "alias/";
    public const string ReservedPrefix = "alias/aws/";

    /// <summary>Checks an alias name a caller wants to create; throws AWS's error for a bad one.</summary>
    public static void EnsureCreatable(string aliasName)
    {
        if (!aliasName.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw KmsException.Validation(
                "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
        }

        if (aliasName.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            throw new KmsException(KmsErrorCode.InvalidAliasNameException, "Alias names that begin with alias/aws/ are reserved for AWS managed keys.");
        if (aliasName.Length == Prefix.Length)
            throw new KmsException(KmsErrorCode.InvalidAliasNameException, "Alias name must have at least one character after alias/.");

        // The model's pattern (^[a-zA-Z0-9:/_-]+$, checked with the request) lets ':' through, but an alias name may
        // hold only letters, digits, '/', '_' and '-'; AWS refuses the rest with this ValidationException.
        if (aliasName.Contains(':'))
            throw KmsException.Validation($"{aliasName} contains invalid characters for an alias");
    }

    public static string Arn(string accountId, string region, string aliasName) =>
        $"arn:{KeyArn.PartitionOf(region)}:kms:{region}:{accountId}:{aliasName}";

    public static string GrainKey(string accountId, string region, string aliasName) => $"{accountId}/{region}/{aliasName}";

    /// <summary>
    /// The (account, region, alias name) an alias name or alias ARN names, for a caller in
    /// <paramref name="accountId"/> and this <paramref name="region"/>.
    /// </summary>
    public static (string AccountId, string Region, string AliasName) Parse(string reference, string accountId, string region)
    {
        if (reference.StartsWith(Prefix, StringComparison.Ordinal)) return (accountId, region, reference);
        var parts = reference.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "kms" || !parts[5].StartsWith(Prefix, StringComparison.Ordinal)
            || parts[1] != KeyArn.PartitionOf(parts[3]))
            throw new KmsException(KmsErrorCode.NotFoundException, $"Invalid arn {reference}");
        if (parts[3] != region) throw new KmsException(KmsErrorCode.NotFoundException, $"Invalid arn {parts[3]}");
        if (parts[4] != accountId) throw KeyReference.CrossAccount(reference);
        return (parts[4], parts[3], parts[5]);
    }

    public static KmsException NotFound(string aliasArn) => new(KmsErrorCode.NotFoundException, $"Alias {aliasArn} is not found.");
}
