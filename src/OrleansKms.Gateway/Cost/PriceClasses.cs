using System.Collections.Frozen;

namespace OrleansKms.Gateway.Cost;

/// <summary>
/// Which price class a request falls in (<see cref="PriceTable.RequestClasses"/>): decided from its operation, the
/// spec of the key it used, and for GenerateDataKeyPair the spec of the pair it made. Decided when the bill is made,
/// not on the request's path (which would need the key's spec).
/// </summary>
public static class PriceClasses
{
    public const string Symmetric = "symmetric", Hmac = "hmac", Rsa2048 = "rsa-2048", Asymmetric = "asymmetric", MlDsa = "ml-dsa",
        EccDataKeyPair = "ecc-data-key-pair", RsaDataKeyPair = "rsa-data-key-pair";

    public static readonly IReadOnlyList<string> All = [Symmetric, Hmac, Rsa2048, Asymmetric, MlDsa, EccDataKeyPair, RsaDataKeyPair];

    /// <summary>The operations whose price depends on the key they use (the free tier's exclusions name these).</summary>
    public static readonly FrozenSet<string> KeyPriced = new[]
    {
        "Encrypt", "Decrypt", "ReEncrypt", "Sign", "Verify", "GetPublicKey", "DeriveSharedSecret",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The operations that are only about asymmetric keys (priced as such when the key's spec is unknown).</summary>
    private static readonly FrozenSet<string> OnlyAsymmetric = new[] { "Sign", "Verify", "GetPublicKey", "DeriveSharedSecret" }.ToFrozenSet(StringComparer.Ordinal);

    public static bool IsDataKeyPair(string operation) => operation is "GenerateDataKeyPair" or "GenerateDataKeyPairWithoutPlaintext";

    /// <summary>
    /// The class of one request. <paramref name="keySpec"/> is the used key's spec (null when unknown: a key of another
    /// account that is gone); <paramref name="pairSpec"/> the KeyPairSpec a GenerateDataKeyPair answered.
    /// </summary>
    public static string Of(string operation, string? keySpec, string? pairSpec)
    {
        if (IsDataKeyPair(operation)) return pairSpec?.StartsWith("RSA", StringComparison.Ordinal) == true ? RsaDataKeyPair : EccDataKeyPair;
        if (operation is "GenerateMac" or "VerifyMac") return Hmac;
        if (!KeyPriced.Contains(operation)) return Symmetric;
        return keySpec switch
        {
            null => OnlyAsymmetric.Contains(operation) ? Asymmetric : Symmetric,
            "SYMMETRIC_DEFAULT" => Symmetric,
            "RSA_2048" => Rsa2048,
            _ when keySpec.StartsWith("ML_DSA", StringComparison.Ordinal) => MlDsa,
            _ when keySpec.StartsWith("HMAC", StringComparison.Ordinal) => Hmac,
            _ => Asymmetric,
        };
    }
}
