using System.Security.Cryptography;
using OrleansKms.Crypto;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.Grains;

/// <summary>New key material for each key spec: the one place that chooses the generator by spec.</summary>
internal static class KeyMaterials
{
    public static bool IsHmac(string keySpec) => keySpec.StartsWith("HMAC_", StringComparison.Ordinal);

    public static bool IsAsymmetric(string keySpec) => keySpec != KmsValues.SymmetricDefault && !IsHmac(keySpec);

    /// <summary>A new material id and the material (symmetric key, HMAC key or PKCS#8 private key).</summary>
    public static (string MaterialId, SecretBytes Material) Generate(string keySpec)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(CiphertextBlob.MaterialIdSize));
        if (keySpec == KmsValues.SymmetricDefault) return (id, SecretBytes.Random(SymmetricKeyVersion.MaterialSize));
        return (id, IsHmac(keySpec) ? HmacKeys.Generate(keySpec) : AsymmetricKey.GeneratePrivateKey(keySpec));
    }

    /// <summary>
    /// Material the caller chose, checked against the spec (<see cref="GivenKeyMaterial"/>; ValidationException if it
    /// does not fit). Its material id is the SHA-256 of the material, so the same material has the same id wherever
    /// it is seeded.
    /// </summary>
    public static (string MaterialId, SecretBytes Material) Given(string keySpec, ReadOnlySpan<byte> material)
    {
        if (GivenKeyMaterial.Problem(keySpec, material) is { } problem) throw KmsException.Validation(problem);
        return (Convert.ToHexStringLower(SHA256.HashData(material)), SecretBytes.TakeOwnership(material.ToArray()));
    }

    /// <summary>The algorithm lists DescribeKey and GetPublicKey show for a key.</summary>
    public static (IReadOnlyList<string> Encryption, IReadOnlyList<string> Signing, IReadOnlyList<string> Mac, IReadOnlyList<string> Agreement)
        Algorithms(string keySpec, string keyUsage) =>
        KeySpecCatalog.TryGet(keySpec, out var info)
            ? (info.EncryptionAlgorithms(keyUsage), info.SigningAlgorithms(keyUsage), info.MacAlgorithms(keyUsage), info.KeyAgreementAlgorithms(keyUsage))
            : ([], [], [], []);
}
