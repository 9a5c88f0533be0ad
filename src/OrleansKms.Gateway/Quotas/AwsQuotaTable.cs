namespace OrleansKms.Gateway.Quotas;

/// <summary>
/// AWS KMS's default request quotas (requests per second, per account and Region), from the AWS KMS Developer Guide,
/// "Request quotas" (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html), its table
/// "Request quotas for each AWS KMS API operation", re-read on 2026-12-01 from the page's Markdown source (the version
/// that lists GetKeyLastUsage, ML-DSA and the ECC and SM2 quota). Quotas that vary by Region are in
/// <see cref="ByRegion"/>.
/// </summary>
internal static class AwsQuotaTable
{
    public static readonly Dictionary<string, double> Rates = new(StringComparer.Ordinal)
    {
        [RequestQuotas.Symmetric] = 10_000,
        [RequestQuotas.Rsa] = 1_000,
        [RequestQuotas.Ecc] = 1_000,
        [RequestQuotas.MlDsa] = 1_000,
        ["GenerateDataKeyPair (ECC_NIST_P256) request rate"] = 100,
        ["GenerateDataKeyPair (ECC_NIST_P384) request rate"] = 100,
        ["GenerateDataKeyPair (ECC_NIST_P521) request rate"] = 100,
        ["GenerateDataKeyPair (ECC_SECG_P256K1) request rate"] = 100,
        ["GenerateDataKeyPair (ECC_NIST_EDWARDS25519) request rate"] = 100,
        ["GenerateDataKeyPair (RSA_2048) request rate"] = 20,
        ["GenerateDataKeyPair (RSA_3072) request rate"] = 4,
        ["GenerateDataKeyPair (RSA_4096) request rate"] = 1,
        ["GenerateDataKeyPair (SM2 — China Regions only) request rate"] = 25,
        ["CancelKeyDeletion request rate"] = 5,
        ["ConnectCustomKeyStore request rate"] = 5,
        ["CreateAlias request rate"] = 5,
        ["CreateCustomKeyStore request rate"] = 5,
        ["CreateGrant request rate"] = 50,
        ["CreateKey request rate"] = 5,
        ["DeleteAlias request rate"] = 15,
        ["DeleteCustomKeyStore request rate"] = 5,
        ["DeleteImportedKeyMaterial request rate"] = 15,
        ["DescribeCustomKeyStores request rate"] = 5,
        ["DescribeKey request rate"] = 2000,
        ["DisableKey request rate"] = 5,
        ["DisableKeyRotation request rate"] = 5,
        ["DisconnectCustomKeyStore request rate"] = 5,
        ["EnableKey request rate"] = 5,
        ["EnableKeyRotation request rate"] = 15,
        ["GetKeyLastUsage request rate"] = 5,
        ["GetKeyPolicy request rate"] = 1000,
        ["GetKeyRotationStatus request rate"] = 1000,
        ["GetParametersForImport request rate"] = 1,
        ["GetPublicKey request rate"] = 2000,
        ["ImportKeyMaterial request rate"] = 15,
        ["ListAliases request rate"] = 500,
        ["ListGrants request rate"] = 100,
        ["ListKeyPolicies request rate"] = 100,
        ["ListKeyRotations request rate"] = 100,
        ["ListKeys request rate"] = 500,
        ["ListResourceTags request rate"] = 2000,
        ["ListRetirableGrants request rate"] = 100,
        ["PutKeyPolicy request rate"] = 15,
        ["ReplicateKey request rate"] = 5,
        ["RetireGrant request rate"] = 50,
        ["RevokeGrant request rate"] = 50,
        ["RotateKeyOnDemand request rate"] = 5,
        ["ScheduleKeyDeletion request rate"] = 15,
        ["TagResource request rate"] = 10,
        ["UntagResource request rate"] = 5,
        ["UpdateAlias request rate"] = 5,
        ["UpdateCustomKeyStore request rate"] = 5,
        ["UpdateKeyDescription request rate"] = 5,
        ["UpdatePrimaryRegion request rate"] = 5,
    };

    /// <summary>Where a quota differs by Region: the symmetric quota above its default, the RSA data key pairs in China.</summary>
    public static readonly Dictionary<(string Quota, string Region), double> ByRegion = new()
    {
        [(RequestQuotas.Symmetric, "us-east-2")] = 20_000,
        [(RequestQuotas.Symmetric, "ap-southeast-1")] = 20_000,
        [(RequestQuotas.Symmetric, "ap-southeast-2")] = 20_000,
        [(RequestQuotas.Symmetric, "ap-northeast-1")] = 20_000,
        [(RequestQuotas.Symmetric, "eu-central-1")] = 20_000,
        [(RequestQuotas.Symmetric, "eu-west-2")] = 20_000,
        [(RequestQuotas.Symmetric, "us-east-1")] = 100_000,
        [(RequestQuotas.Symmetric, "us-west-2")] = 100_000,
        [(RequestQuotas.Symmetric, "eu-west-1")] = 100_000,
        [("GenerateDataKeyPair (RSA_2048) request rate", "cn-north-1")] = 1,
        [("GenerateDataKeyPair (RSA_2048) request rate", "cn-northwest-1")] = 1,
        [("GenerateDataKeyPair (RSA_3072) request rate", "cn-north-1")] = 0.5,
        [("GenerateDataKeyPair (RSA_3072) request rate", "cn-northwest-1")] = 0.5,
        [("GenerateDataKeyPair (RSA_4096) request rate", "cn-north-1")] = 0.1,
        [("GenerateDataKeyPair (RSA_4096) request rate", "cn-northwest-1")] = 0.1,
    };
}
