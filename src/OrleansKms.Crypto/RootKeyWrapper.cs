using System.Security.Cryptography;
using System.Text;

namespace OrleansKms.Crypto;

/// <summary>
/// Wraps key material under a region's root key (the key-encryption key) with AES-256-GCM, bound to the key ARN
/// and the key material id as associated data, so a wrapped blob moved to another key or version does not unwrap.
/// <code>
/// offset  size  field
///      0     1  wrap format version, 0x01
///      1    12  nonce
///     13     n  ciphertext of the material
///   13+n    16  tag
/// </code>
/// </summary>
public sealed class RootKeyWrapper : IDisposable
{
    private const byte Version1 = 0x01;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    public const int RootKeySize = 32;

    private readonly SecretBytes _rootKey;

    public RootKeyWrapper(SecretBytes rootKey)
    {
        if (rootKey.Length != RootKeySize) throw new ArgumentException($"The root key must be {RootKeySize} bytes.", nameof(rootKey));
        _rootKey = rootKey;
    }

    public byte[] Wrap(SecretBytes material, string keyArn, string keyMaterialId)
    {
        var aad = Encoding.UTF8.GetBytes($"{keyArn}\n{keyMaterialId}");
        var wrapped = new byte[1 + NonceSize + material.Length + TagSize];
        var span = wrapped.AsSpan();
        span[0] = Version1;
        RandomNumberGenerator.Fill(span.Slice(1, NonceSize));
        using var gcm = new AesGcm(_rootKey.Expose(), TagSize);
        gcm.Encrypt(span.Slice(1, NonceSize), material.Expose(), span[(1 + NonceSize)..^TagSize], span[^TagSize..], aad);
        return wrapped;
    }

    /// <summary>Unwraps; throws <see cref="CryptographicException"/> if the blob was altered, moved or wrapped under another root key.</summary>
    public SecretBytes Unwrap(ReadOnlySpan<byte> wrapped, string keyArn, string keyMaterialId)
    {
        if (wrapped.Length < 1 + NonceSize + TagSize || wrapped[0] != Version1)
            throw new CryptographicException("Wrapped key material has an unknown format.");
        var aad = Encoding.UTF8.GetBytes($"{keyArn}\n{keyMaterialId}");
        var material = new byte[wrapped.Length - 1 - NonceSize - TagSize];
        using var gcm = new AesGcm(_rootKey.Expose(), TagSize);
        gcm.Decrypt(wrapped.Slice(1, NonceSize), wrapped[(1 + NonceSize)..^TagSize], wrapped[^TagSize..], material, aad);
        return SecretBytes.TakeOwnership(material);
    }

    public void Dispose() => _rootKey.Dispose();
}
