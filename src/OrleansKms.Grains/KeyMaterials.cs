using System.Security.Cryptography;
using OrleansKms.Crypto;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.Grains;

/// <summary>New or given key material for a key, with its material id; the spec's entry in <see cref="KeySpecCatalog"/> decides.</summary>
internal static class KeyMaterials
{
    /// <summary>
    /// A new material id and the material (symmetric key, HMAC key or PKCS#8 private key); RSA private keys come from
    /// <paramref name="rsaKeys"/>, the silo's pool of pre-generated keys.
    /// </summary>
    public static (string MaterialId, SecretBytes Material) Generate(string keySpec, RsaKeyPool rsaKeys)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(CiphertextBlob.MaterialIdSize));
        return (id, RsaKeyPool.BitsOf(keySpec) is { } bits ? rsaKeys.Take(bits) : KeySpecCatalog.Get(keySpec).Generate());
    }

    /// <summary>
    /// Material the caller chose, checked against the spec (<see cref="KeySpecInfo.MaterialProblem"/>; ValidationException if it
    /// does not fit). Its material id is the SHA-256 of the material, so the same material has the same id wherever
    /// it is seeded.
    /// </summary>
    public static (string MaterialId, SecretBytes Material) Given(string keySpec, ReadOnlySpan<byte> material)
    {
        if (KeySpecCatalog.Get(keySpec).MaterialProblem(material) is { } problem) throw KmsException.Validation(problem);
        return (Convert.ToHexStringLower(SHA256.HashData(material)), SecretBytes.TakeOwnership(material.ToArray()));
    }

    /// <summary>The algorithm lists DescribeKey and GetPublicKey show for a key.</summary>
    public static (IReadOnlyList<string> Encryption, IReadOnlyList<string> Signing, IReadOnlyList<string> Mac, IReadOnlyList<string> Agreement)
        Algorithms(string keySpec, string keyUsage) =>
        KeySpecCatalog.TryGet(keySpec, out var info)
            ? (info.EncryptionAlgorithms(keyUsage), info.SigningAlgorithms(keyUsage), info.MacAlgorithms(keyUsage), info.KeyAgreementAlgorithms(keyUsage))
            : ([], [], [], []);
}
