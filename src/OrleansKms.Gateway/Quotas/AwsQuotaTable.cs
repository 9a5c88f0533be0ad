namespace OrleansKms.Gateway.Quotas;

/// <summary>
/// AWS KMS's default request quotas (requests per second, per account and Region), from the AWS KMS Developer Guide,
/// "Request quotas" (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html), as read on
/// 2026-12-01. The symmetric cryptographic quota varies by Region (<see cref="SymmetricByRegion"/>).
/// </summary>
internal static class AwsQuotaTable
{
    public static readonly Dictionary<string, double> Rates = new(StringComparer.Ordinal)
    {
        [RequestQuotas.Symmetric] = 10_000,
        [RequestQuotas.Rsa] = 500,
        [RequestQuotas.Ecc] = 300,
        ["CancelKeyDeletion request rate"] = 5,
        ["ConnectCustomKeyStore request rate"] = 5,
        ["CreateAlias request rate"] = 5,
        ["CreateCustomKeyStore request rate"] = 5,
        ["CreateGrant request rate"] = 50,
        ["CreateKey request rate"] = 5,
        ["DeleteAlias request rate"] = 15,
        ["DeleteCustomKeyStore request rate"] = 5,
        ["DeleteImportedKeyMaterial request rate"] = 5,
        ["DescribeCustomKeyStores request rate"] = 5,
        ["DescribeKey request rate"] = 2000,
        ["DisableKey request rate"] = 5,
        ["DisableKeyRotation request rate"] = 5,
        ["DisconnectCustomKeyStore request rate"] = 5,
        ["EnableKey request rate"] = 5,
        ["EnableKeyRotation request rate"] = 15,
        ["GetKeyPolicy request rate"] = 1000,
        ["GetKeyRotationStatus request rate"] = 1000,
        ["GetParametersForImport request rate"] = 0.25,
        ["GetPublicKey request rate"] = 2000,
        ["ImportKeyMaterial request rate"] = 5,
        ["ListAliases request rate"] = 500,
        ["ListGrants request rate"] = 100,
        ["ListKeyPolicies request rate"] = 100,
        ["ListKeys request rate"] = 500,
        ["ListResourceTags request rate"] = 2000,
        ["ListRetirableGrants request rate"] = 100,
        ["PutKeyPolicy request rate"] = 15,
        ["ReplicateKey request rate"] = 5,
        ["RetireGrant request rate"] = 30,
        ["RevokeGrant request rate"] = 30,
        ["ScheduleKeyDeletion request rate"] = 15,
        ["TagResource request rate"] = 10,
        ["UntagResource request rate"] = 5,
        ["UpdateAlias request rate"] = 5,
        ["UpdateCustomKeyStore request rate"] = 5,
        ["UpdateKeyDescription request rate"] = 5,
    };

    /// <summary>The symmetric cryptographic quota where it is above the default of 10,000.</summary>
    public static readonly Dictionary<string, double> SymmetricByRegion = new(StringComparer.Ordinal)
    {
        ["us-east-2"] = 20_000,
        ["ap-southeast-1"] = 20_000,
        ["ap-southeast-2"] = 20_000,
        ["ap-northeast-1"] = 20_000,
        ["eu-central-1"] = 20_000,
        ["eu-west-2"] = 20_000,
        ["us-east-1"] = 100_000,
        ["us-west-2"] = 100_000,
        ["eu-west-1"] = 100_000,
    };
}
