namespace OrleansKms.Gateway.Protocol;

/// <summary>
/// The enum value sets of the AWS API model, each in the order AWS lists it in a ValidationException's "Member must
/// satisfy enum value set: [...]" (this is the one source of that order; RequestValidator.Enum prints it as is).
/// Where AWS's answer has been recorded (../shared/reference/aws-recorded-kms-responses.json) the order is AWS's,
/// which is not the model's: the recorded values first, in their recorded order, then the values AWS added after
/// the recording, in the model's order. Elsewhere it is the model's order. A unit test keeps each set equal to the
/// model's and each recorded order as recorded; what a key spec allows is the <c>KeySpecCatalog</c>'s to say.
/// </summary>
public static class ModelEnums
{
    /// <summary>Recorded (CreateKey with KeySpec HMAC_random), then SM2, ML-DSA and Ed25519, which came later.</summary>
    public static readonly string[] KeySpec =
    [
        "RSA_2048", "ECC_NIST_P384", "ECC_NIST_P256", "ECC_NIST_P521", "HMAC_384", "RSA_3072", "ECC_SECG_P256K1",
        "RSA_4096", "SYMMETRIC_DEFAULT", "HMAC_256", "HMAC_224", "HMAC_512",
        "SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519",
    ];

    /// <summary>The deprecated spec member's values in <see cref="KeySpec"/>'s order (AWS's recorded list is exactly these, less SM2).</summary>
    public static readonly string[] CustomerMasterKeySpec =
    [
        "RSA_2048", "ECC_NIST_P384", "ECC_NIST_P256", "ECC_NIST_P521", "HMAC_384", "RSA_3072", "ECC_SECG_P256K1",
        "RSA_4096", "SYMMETRIC_DEFAULT", "HMAC_256", "HMAC_224", "HMAC_512", "SM2",
    ];

    /// <summary>Recorded (CreateKey with KeyUsage RANDOM), then KEY_AGREEMENT, which came later.</summary>
    public static readonly string[] KeyUsage = ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"];

    public static readonly string[] Origin = ["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"];

    public static readonly string[] GrantOperation =
    [
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "Sign", "Verify",
        "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
        "GenerateMac", "VerifyMac", "DeriveSharedSecret",
    ];

    public static readonly string[] DataKeySpec = ["AES_256", "AES_128"];

    public static readonly string[] EncryptionAlgorithm = ["SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"];

    public static readonly string[] SigningAlgorithm =
    [
        "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384",
        "RSASSA_PKCS1_V1_5_SHA_512", "ECDSA_SHA_256", "ECDSA_SHA_384", "ECDSA_SHA_512", "SM2DSA", "ML_DSA_SHAKE_256",
        "ED25519_SHA_512", "ED25519_PH_SHA_512",
    ];

    public static readonly string[] MessageType = ["RAW", "DIGEST", "EXTERNAL_MU"];

    /// <summary>Recorded (GenerateMac and VerifyMac with MacAlgorithm INVALID).</summary>
    public static readonly string[] MacAlgorithm = ["HMAC_SHA_384", "HMAC_SHA_256", "HMAC_SHA_224", "HMAC_SHA_512"];

    /// <summary>Recorded (DeriveSharedSecret with KeyAgreementAlgorithm INVALID).</summary>
    public static readonly string[] KeyAgreementAlgorithm = ["ECDH"];

    /// <summary>GetParametersForImport's WrappingAlgorithm (the model's AlgorithmSpec).</summary>
    public static readonly string[] WrappingAlgorithm =
        ["RSAES_PKCS1_V1_5", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256", "SM2PKE"];

    public static readonly string[] WrappingKeySpec = ["RSA_2048", "RSA_3072", "RSA_4096", "SM2"];

    public static readonly string[] ExpirationModel = ["KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"];

    public static readonly string[] ImportType = ["NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"];

    public static readonly string[] IncludeKeyMaterial = ["ALL_KEY_MATERIAL", "ROTATIONS_ONLY"];

    /// <summary>CreateCustomKeyStore's CustomKeyStoreType.</summary>
    public static readonly string[] CustomKeyStoreType = ["AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"];

    /// <summary>CreateCustomKeyStore's and UpdateCustomKeyStore's XksProxyConnectivity (the model's XksProxyConnectivityType).</summary>
    public static readonly string[] XksProxyConnectivity = ["PUBLIC_ENDPOINT", "VPC_ENDPOINT_SERVICE"];

    public static readonly string[] DataKeyPairSpec =
        ["RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "SM2", "ECC_NIST_EDWARDS25519"];
}
