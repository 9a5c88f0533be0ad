namespace OrleansKms;

/// <summary>Key policy names and the default key policy, as AWS KMS writes them.</summary>
public static class KeyPolicies
{
    /// <summary>The only key policy name AWS KMS has.</summary>
    public const string DefaultName = "default";

    /// <summary>
    /// The policy a key gets when CreateKey names none: the account's root principal may do everything (so IAM
    /// policies of the account decide), in AWS's own layout, byte for byte.
    /// </summary>
    public static string Default(string accountId, string region) =>
        "{\n" +
        "  \"Version\" : \"2012-10-17\",\n" +
        "  \"Id\" : \"key-default-1\",\n" +
        "  \"Statement\" : [ {\n" +
        "    \"Sid\" : \"Enable IAM User Permissions\",\n" +
        "    \"Effect\" : \"Allow\",\n" +
        "    \"Principal\" : {\n" +
        $"      \"AWS\" : \"arn:{KeyArn.PartitionOf(region)}:iam::{accountId}:root\"\n" +
        "    },\n" +
        "    \"Action\" : \"kms:*\",\n" +
        "    \"Resource\" : \"*\"\n" +
        "  } ]\n" +
        "}";
}

// The key-policy operations of the key (the rest of IKeyGrain: KeyManagementModel.cs).
public partial interface IKeyGrain
{
    /// <summary>The key policy (the default key policy when CreateKey set none).</summary>
    Task<string> GetPolicyAsync(KmsCaller caller);

    /// <summary>
    /// Replaces the key policy: MalformedPolicyDocumentException for a document AWS would refuse, or (unless
    /// <paramref name="bypassLockoutSafetyCheck"/>) one under which the caller could not put a policy again.
    /// </summary>
    Task PutPolicyAsync(KmsCaller caller, string policy, bool bypassLockoutSafetyCheck = false);
}
