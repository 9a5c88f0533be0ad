namespace OrleansKms.Gateway.Protocol;

/// <summary>
/// The enum value sets of the AWS API model, in the model's order (they appear in validation messages). A unit test
/// keeps each equal to the model; what a key spec allows is the <c>KeySpecCatalog</c>'s to say.
/// </summary>
public static class ModelEnums
{
    public static readonly string[] KeySpec =
    [
        "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
        "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2", "ML_DSA_44", "ML_DSA_65",
        "ML_DSA_87", "ECC_NIST_EDWARDS25519",
    ];

    public static readonly string[] CustomerMasterKeySpec =
    [
        "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
        "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2",
    ];

    public static readonly string[] KeyUsage = ["SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"];

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

    public static readonly string[] MacAlgorithm = ["HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512"];

    public static readonly string[] KeyAgreementAlgorithm = ["ECDH"];

    public static readonly string[] DataKeyPairSpec =
        ["RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "SM2", "ECC_NIST_EDWARDS25519"];
}
