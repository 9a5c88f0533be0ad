using System.Security.Cryptography;

namespace OrleansKms.Crypto;

/// <summary>One unwrapped version of a symmetric key's material and its 32-byte id.</summary>
public sealed class SymmetricKeyVersion(byte[] materialId, SecretBytes material) : IDisposable
{
    public const int MaterialSize = 32;

    public byte[] MaterialId { get; } = materialId;

    public string MaterialIdHex { get; } = Convert.ToHexStringLower(materialId);

    public SecretBytes Material { get; } = material;

    /// <summary>A new random 256-bit key and a new random material id.</summary>
    public static SymmetricKeyVersion Generate() =>
        new(RandomNumberGenerator.GetBytes(CiphertextBlob.MaterialIdSize), SecretBytes.Random(MaterialSize));

    /// <summary>Zeroes the material.</summary>
    public void Dispose() => Material.Dispose();
}

/// <summary>
/// All the material versions of one symmetric key, with the current one: encryption uses the current version,
/// decryption picks the version the blob names. Pure: the KeyGrain persists, this decides.
/// </summary>
public sealed class SymmetricKeyMaterialSet(IReadOnlyList<SymmetricKeyVersion> versions, SymmetricKeyVersion current)
{
    public SymmetricKeyVersion Current { get; } = current;

    public IReadOnlyList<SymmetricKeyVersion> Versions { get; } = versions;

    public byte[] Encrypt(string keyId, ReadOnlySpan<byte> plaintext, IReadOnlyDictionary<string, string>? context) =>
        CiphertextBlob.Encrypt(Current.Material, keyId, Current.MaterialId, plaintext, context);

    /// <summary>The version a blob names, or null if this key has no such material.</summary>
    public SymmetricKeyVersion? Find(ReadOnlySpan<byte> materialId)
    {
        foreach (var v in Versions)
        {
            if (materialId.SequenceEqual(v.MaterialId)) return v;
        }

        return null;
    }
}
