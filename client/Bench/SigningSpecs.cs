namespace OrleansKms.Cli.Bench;

/// <summary>The SIGN_VERIFY key specs the bench measures, each with the signing algorithm its rows use.</summary>
internal static class SigningSpecs
{
    /// <summary>
    /// Spec to algorithm: RSA uses PSS with SHA-256 (the algorithm AWS lists first), each curve its own hash,
    /// Ed25519 pure EdDSA, ML-DSA its only algorithm. SM2 is left out: AWS offers it only in China regions.
    /// </summary>
    private static readonly (string Spec, string Algorithm)[] Table =
    [
        ("RSA_2048", "RSASSA_PSS_SHA_256"),
        ("RSA_3072", "RSASSA_PSS_SHA_256"),
        ("RSA_4096", "RSASSA_PSS_SHA_256"),
        ("ECC_NIST_P256", "ECDSA_SHA_256"),
        ("ECC_NIST_P384", "ECDSA_SHA_384"),
        ("ECC_NIST_P521", "ECDSA_SHA_512"),
        ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
        ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512"),
        ("ML_DSA_44", "ML_DSA_SHAKE_256"),
        ("ML_DSA_65", "ML_DSA_SHAKE_256"),
        ("ML_DSA_87", "ML_DSA_SHAKE_256"),
    ];

    public static IReadOnlyList<string> All { get; } = Table.Select(t => t.Spec).ToArray();

    public static string Algorithm(string spec) => Table.First(t => t.Spec == spec).Algorithm;
}
