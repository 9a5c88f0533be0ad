namespace OrleansKms.Gateway.Quotas;

/// <summary>
/// The types of key AWS's shared cryptographic quotas tell apart, and the type a request uses, told by the algorithm
/// it names. KMS refuses an algorithm its key does not support (InvalidKeyUsageException), so for every request that
/// runs this is the type of the key it uses: RSAES_* and RSASSA_* need an RSA key, SM2PKE, SM2DSA, ECDSA_* and
/// ED25519_* an ECC or SM2 key, ML_DSA_SHAKE_256 an ML-DSA key, SYMMETRIC_DEFAULT (the default) a symmetric key.
/// A Decrypt without KeyId is symmetric: asymmetric ciphertext can only be decrypted naming its key.
/// </summary>
public static class KeyTypes
{
    /// <summary>Symmetric encryption keys, including those in custom key stores, and HMAC keys.</summary>
    public const string Symmetric = "SYMMETRIC";

    public const string Rsa = "RSA";

    /// <summary>Elliptic curve keys (NIST, SECG, Edwards) and SM2 keys: one quota.</summary>
    public const string EccOrSm2 = "ECC_SM2";

    public const string MlDsa = "ML_DSA";

    /// <summary>The type of key an EncryptionAlgorithm (validated; null is the default) works with.</summary>
    public static string OfEncryptionAlgorithm(string? algorithm) => algorithm switch
    {
        null or "SYMMETRIC_DEFAULT" => Symmetric,
        "SM2PKE" => EccOrSm2,
        _ => Rsa,
    };

    /// <summary>The type of key a SigningAlgorithm (validated) works with.</summary>
    public static string OfSigningAlgorithm(string algorithm) =>
        algorithm.StartsWith("RSASSA_", StringComparison.Ordinal) ? Rsa
        : algorithm == "ML_DSA_SHAKE_256" ? MlDsa
        : EccOrSm2;
}
