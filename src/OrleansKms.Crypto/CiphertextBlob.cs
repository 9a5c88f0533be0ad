using System.Buffers;
using System.Security.Cryptography;

namespace OrleansKms.Crypto;

/// <summary>
/// The ciphertext blob of a symmetric KMS key, format version 1. All of it up to the nonce's end is the header;
/// the header and the canonical encryption context (<see cref="EncryptionContextCodec"/>) are the AES-GCM
/// associated data, so changing any header byte, the context, the ciphertext or the tag fails decryption.
/// <code>
/// offset  size  field
///      0     1  format version, 0x01
///      1    17  key id (<see cref="KeyIdCodec"/>: flag byte + 16 id bytes)
///     18    32  key material id (the raw bytes of the 64-hex-digit KeyMaterialId)
///     50    12  AES-GCM nonce, random per encryption
///     62     n  AES-256-GCM ciphertext, n = plaintext length
///   62+n    16  AES-GCM tag
/// </code>
/// Stable across releases: stored ciphertext must decrypt after upgrades. A new layout takes a new version byte.
/// A parsed blob is a view over the caller's bytes (not a ref struct, so it can be parsed once and kept across an
/// await).
/// </summary>
public readonly struct CiphertextBlob
{
    public const byte Version1 = 0x01;
    public const int MaterialIdSize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int KeyIdOffset = 1;
    public const int MaterialIdOffset = KeyIdOffset + KeyIdCodec.Size;
    public const int NonceOffset = MaterialIdOffset + MaterialIdSize;
    public const int HeaderSize = NonceOffset + NonceSize;
    public const int Overhead = HeaderSize + TagSize;

    /// <summary>Above this much associated data the AAD buffer comes from the array pool instead of the stack.</summary>
    private const int StackLimit = 1024;

    private readonly ReadOnlyMemory<byte> _blob;

    private CiphertextBlob(ReadOnlyMemory<byte> blob) => _blob = blob;

    public ReadOnlySpan<byte> Header => _blob.Span[..HeaderSize];
    public ReadOnlySpan<byte> KeyIdBytes => _blob.Span.Slice(KeyIdOffset, KeyIdCodec.Size);
    public ReadOnlySpan<byte> MaterialId => _blob.Span.Slice(MaterialIdOffset, MaterialIdSize);
    public ReadOnlySpan<byte> Nonce => _blob.Span.Slice(NonceOffset, NonceSize);
    public ReadOnlySpan<byte> Ciphertext => _blob.Span[HeaderSize..^TagSize];
    public ReadOnlySpan<byte> Tag => _blob.Span[^TagSize..];

    /// <summary>The key id the blob names, or null if its key id field is malformed.</summary>
    public string? KeyId => KeyIdCodec.TryRead(KeyIdBytes);

    /// <summary>Reads the layout; false for anything too short or of another format version.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> blob, out CiphertextBlob parsed)
    {
        parsed = default;
        if (blob.Length < Overhead || blob.Span[0] != Version1) return false;
        parsed = new CiphertextBlob(blob);
        return true;
    }

    /// <summary>Encrypts <paramref name="plaintext"/> under <paramref name="key"/> into a new version-1 blob.</summary>
    public static byte[] Encrypt(
        SecretBytes key, string keyId, ReadOnlySpan<byte> materialId,
        ReadOnlySpan<byte> plaintext, IReadOnlyDictionary<string, string>? context)
    {
        if (materialId.Length != MaterialIdSize) throw new ArgumentException("Key material ids are 32 bytes.", nameof(materialId));
        var blob = new byte[Overhead + plaintext.Length];
        var span = blob.AsSpan();
        span[0] = Version1;
        if (!KeyIdCodec.TryWrite(keyId, span.Slice(KeyIdOffset, KeyIdCodec.Size)))
            throw new ArgumentException("Not a key id.", nameof(keyId));
        materialId.CopyTo(span.Slice(MaterialIdOffset, MaterialIdSize));
        Nonces.Fill(span.Slice(NonceOffset, NonceSize));
        var aadLength = HeaderSize + EncryptionContextCodec.GetByteCount(context);
        var pooled = aadLength <= StackLimit ? null : ArrayPool<byte>.Shared.Rent(aadLength);
        try
        {
            var aad = pooled is null ? stackalloc byte[aadLength] : pooled.AsSpan(0, aadLength);
            span[..HeaderSize].CopyTo(aad);
            EncryptionContextCodec.Write(context, aad[HeaderSize..]);
            var gcm = key.RentCipher();
            gcm.Encrypt(span.Slice(NonceOffset, NonceSize), plaintext, span[HeaderSize..^TagSize], span[^TagSize..], aad);
            key.ReturnCipher(gcm);
            return blob;
        }
        finally
        {
            if (pooled is not null) ArrayPool<byte>.Shared.Return(pooled);
        }
    }

    /// <summary>Decrypts with <paramref name="key"/>; false when the tag, header or context does not match.</summary>
    public bool TryDecrypt(SecretBytes key, IReadOnlyDictionary<string, string>? context, out byte[] plaintext)
    {
        var aadLength = HeaderSize + EncryptionContextCodec.GetByteCount(context);
        var pooled = aadLength <= StackLimit ? null : ArrayPool<byte>.Shared.Rent(aadLength);
        try
        {
            var aad = pooled is null ? stackalloc byte[aadLength] : pooled.AsSpan(0, aadLength);
            Header.CopyTo(aad);
            EncryptionContextCodec.Write(context, aad[HeaderSize..]);
            plaintext = new byte[Ciphertext.Length];
            var gcm = key.RentCipher();
            try
            {
                gcm.Decrypt(Nonce, Ciphertext, Tag, plaintext, aad);
            }
            finally
            {
                key.ReturnCipher(gcm);
            }

            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            plaintext = [];
            return false;
        }
        finally
        {
            if (pooled is not null) ArrayPool<byte>.Shared.Return(pooled);
        }
    }
}
