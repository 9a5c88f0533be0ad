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
    /// <summary>
    /// The policy of the AWS managed key of <paramref name="service"/> (e.g. s3): every principal of the account may use
    /// the key for cryptography through that service only (kms:ViaService, kms:CallerAccount), and the account may
    /// read the key's metadata directly. Nothing else is allowed, so the key cannot be managed, rotated by hand,
    /// scheduled for deletion or used from application code directly, and never from another account.
    /// </summary>
    public static string AwsManaged(string accountId, string region, string service) =>
        "{\n" +
        "  \"Version\" : \"2012-10-17\",\n" +
        $"  \"Id\" : \"auto-{service}-1\",\n" +
        "  \"Statement\" : [ {\n" +
        $"    \"Sid\" : \"Allow access through {service} for all principals in the account that are authorized to use {service}\",\n" +
        "    \"Effect\" : \"Allow\",\n" +
        "    \"Principal\" : {\n" +
        "      \"AWS\" : \"*\"\n" +
        "    },\n" +
        "    \"Action\" : [ \"kms:Encrypt\", \"kms:Decrypt\", \"kms:ReEncrypt*\", \"kms:GenerateDataKey*\", \"kms:CreateGrant\", \"kms:DescribeKey\" ],\n" +
        "    \"Resource\" : \"*\",\n" +
        "    \"Condition\" : {\n" +
        "      \"StringEquals\" : {\n" +
        $"        \"kms:CallerAccount\" : \"{accountId}\",\n" +
        $"        \"kms:ViaService\" : \"{service}.{region}.amazonaws.com\"\n" +
        "      }\n" +
        "    }\n" +
        "  }, {\n" +
        "    \"Sid\" : \"Allow direct access to key metadata to the account\",\n" +
        "    \"Effect\" : \"Allow\",\n" +
        "    \"Principal\" : {\n" +
        $"      \"AWS\" : \"arn:{KeyArn.PartitionOf(region)}:iam::{accountId}:root\"\n" +
        "    },\n" +
        "    \"Action\" : [ \"kms:Describe*\", \"kms:Get*\", \"kms:List*\", \"kms:RevokeGrant\" ],\n" +
        "    \"Resource\" : \"*\"\n" +
        "  } ]\n" +
        "}";

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
