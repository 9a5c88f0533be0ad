using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using OrleansKms.Crypto;

namespace OrleansKms.KeyStores.Xks;

/// <summary>
/// Double encryption as AWS KMS does it for a KMS key in an external key store: the plaintext is encrypted first by
/// the service under its own key material for the KMS key, then that result is encrypted by the external key manager
/// under the external key (through the proxy); decryption runs in reverse. Neither party alone can decrypt.
/// <para>The blob, format version 1:</para>
/// <code>
/// offset      size  field
///      0         1  format version, 0x01
///      1         1  v = length of the proxy's initialization vector (12 or 16)
///      2         v  the proxy's initialization vector
///    2+v         1  m = length of the proxy's ciphertext metadata (0 to 20)
///    3+v         m  the proxy's ciphertext metadata
///  3+v+m        16  the proxy's authentication tag
/// 19+v+m         n  the proxy's ciphertext of the inner layer, n = plaintext length + 28
///   end-32      32  envelope MAC: HMAC-SHA256 over every byte before it || aad || aad length (8 bytes, big-endian)
/// </code>
/// The inner layer, which only the proxy's ciphertext carries, is the service's own AES-256-GCM encryption:
/// nonce (12, random) || ciphertext (plaintext length) || tag (16), with associated data 0x01 || aad.
/// The external key binds SHA-256(0x01 || aad) as its additional authenticated data (32 bytes, within every proxy's
/// limit). The inner key and the MAC key are derived from the own key material with HKDF-SHA256 (distinct labels).
/// <para>
/// The MAC is this service's addition to AWS's scheme: any change to the blob or to the aad (the encryption
/// context) fails with InvalidCiphertextException before the proxy is called, as for any other KMS key. When the proxy
/// itself fails, its error is the operation's (<see cref="XksErrors"/>); when it answers with something that does not
/// decrypt under the own key, that is KMSInvalidStateException (<see cref="XksFailure.ProxyReturnedInvalidCiphertext"/>).
/// Stable across releases: a new layout takes a new version byte.
/// </para>
/// </summary>
public static class XksDoubleEncryption
{
    public const byte Version1 = 0x01;
    public const int OwnKeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int MacSize = 32;

    /// <summary>Bytes the inner layer adds to the plaintext (nonce and tag).</summary>
    public const int InnerOverhead = NonceSize + TagSize;

    /// <summary>The smallest possible blob: an empty plaintext, a 12-byte IV and no ciphertext metadata.</summary>
    public const int MinimumBlobSize = 2 + 12 + 1 + XksCiphertext.TagSize + InnerOverhead + MacSize;

    private static readonly byte[] InnerKeyLabel = Encoding.ASCII.GetBytes("OrleansKms XKS double encryption v1: inner AES-256-GCM");
    private static readonly byte[] MacKeyLabel = Encoding.ASCII.GetBytes("OrleansKms XKS double encryption v1: envelope HMAC-SHA256");

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> under <paramref name="ownKey"/> (the service's 32-byte key material for the
    /// KMS key), then under the external key through <paramref name="client"/>; returns the blob described above.
    /// </summary>
    public static async Task<byte[]> EncryptAsync(
        SecretBytes ownKey, byte[] plaintext, byte[] additionalAuthenticatedData,
        XksProxyClient client, XksProxyConnection proxy, string externalKeyId, XksRequestMetadata metadata, CancellationToken cancel)
    {
        CheckArguments(ownKey, plaintext, additionalAuthenticatedData, client);
        var inner = EncryptInner(ownKey, plaintext, additionalAuthenticatedData);
        var outer = await client.EncryptAsync(proxy, externalKeyId, inner, ProxyAad(additionalAuthenticatedData), metadata, cancel)
            .ConfigureAwait(false);
        var meta = outer.CiphertextMetadata ?? [];
        var blob = new byte[3 + outer.InitializationVector.Length + meta.Length + TagSize + outer.Ciphertext.Length + MacSize];
        var at = 0;
        blob[at++] = Version1;
        blob[at++] = (byte)outer.InitializationVector.Length;
        at = Put(blob, at, outer.InitializationVector);
        blob[at++] = (byte)meta.Length;
        at = Put(blob, at, meta);
        at = Put(blob, at, outer.AuthenticationTag);
        Put(blob, at, outer.Ciphertext);
        Mac(ownKey, blob.AsSpan(0, blob.Length - MacSize), additionalAuthenticatedData, blob.AsSpan(blob.Length - MacSize));
        return blob;
    }

    /// <summary>
    /// Decrypts a blob of <see cref="EncryptAsync"/>: checks it under <paramref name="ownKey"/> and
    /// <paramref name="additionalAuthenticatedData"/> (InvalidCiphertextException if anything changed), has the proxy
    /// remove the external layer, then removes the service's own.
    /// </summary>
    public static async Task<byte[]> DecryptAsync(
        SecretBytes ownKey, byte[] blob, byte[] additionalAuthenticatedData,
        XksProxyClient client, XksProxyConnection proxy, string externalKeyId, XksRequestMetadata metadata, CancellationToken cancel)
    {
        CheckArguments(ownKey, blob, additionalAuthenticatedData, client);
        var outer = Parse(blob) ?? throw KmsException.InvalidCiphertext();
        Span<byte> expected = stackalloc byte[MacSize];
        Mac(ownKey, blob.AsSpan(0, blob.Length - MacSize), additionalAuthenticatedData, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, blob.AsSpan(blob.Length - MacSize))) throw KmsException.InvalidCiphertext();

        var inner = await client.DecryptAsync(proxy, externalKeyId, outer, ProxyAad(additionalAuthenticatedData), metadata, cancel)
            .ConfigureAwait(false);
        return DecryptInner(ownKey, inner, additionalAuthenticatedData)
            ?? throw XksErrors.ToKmsException(XksFailure.ProxyReturnedInvalidCiphertext, metadata.KmsOperation);
    }

    /// <summary>The proxy's parts of a blob, or null if its layout is not version 1's.</summary>
    private static XksCiphertext? Parse(byte[] blob)
    {
        if (blob.Length < MinimumBlobSize || blob[0] != Version1 || !XksCiphertext.IsValidIvLength(blob[1])) return null;
        var ivLength = blob[1];
        var metaAt = 2 + ivLength;
        var metaLength = blob[metaAt];
        var tagAt = metaAt + 1 + metaLength;
        var ciphertextAt = tagAt + TagSize;
        var ciphertextLength = blob.Length - MacSize - ciphertextAt;
        if (metaLength > XksCiphertext.MaxMetadataSize || ciphertextLength < InnerOverhead) return null;
        return new XksCiphertext(
            blob[ciphertextAt..(ciphertextAt + ciphertextLength)],
            blob[2..metaAt],
            blob[tagAt..ciphertextAt],
            metaLength == 0 ? null : blob[(metaAt + 1)..tagAt]);
    }

    private static byte[] EncryptInner(SecretBytes ownKey, byte[] plaintext, byte[] aad)
    {
        var inner = new byte[InnerOverhead + plaintext.Length];
        var nonce = inner.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var key = DeriveKey(ownKey, InnerKeyLabel);
        try
        {
            using var gcm = new AesGcm(key, TagSize);
            gcm.Encrypt(nonce, plaintext, inner.AsSpan(NonceSize, plaintext.Length), inner.AsSpan(NonceSize + plaintext.Length), InnerAad(aad));
            return inner;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static byte[]? DecryptInner(SecretBytes ownKey, byte[] inner, byte[] aad)
    {
        if (inner.Length < InnerOverhead) return null;
        var plaintext = new byte[inner.Length - InnerOverhead];
        var key = DeriveKey(ownKey, InnerKeyLabel);
        try
        {
            using var gcm = new AesGcm(key, TagSize);
            gcm.Decrypt(inner.AsSpan(0, NonceSize), inner.AsSpan(NonceSize, plaintext.Length), inner.AsSpan(NonceSize + plaintext.Length), plaintext, InnerAad(aad));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static void Mac(SecretBytes ownKey, ReadOnlySpan<byte> envelope, byte[] aad, Span<byte> destination)
    {
        var key = DeriveKey(ownKey, MacKeyLabel);
        try
        {
            using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
            hmac.AppendData(envelope);
            hmac.AppendData(aad);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(length, aad.Length);
            hmac.AppendData(length);
            hmac.GetHashAndReset(destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static byte[] InnerAad(byte[] aad)
    {
        var bound = new byte[1 + aad.Length];
        bound[0] = Version1;
        aad.CopyTo(bound, 1);
        return bound;
    }

    private static byte[] ProxyAad(byte[] aad) => SHA256.HashData(InnerAad(aad));

    private static byte[] DeriveKey(SecretBytes ownKey, byte[] label)
    {
        var key = new byte[OwnKeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, ownKey.Expose(), key, salt: [], info: label);
        return key;
    }

    private static int Put(byte[] blob, int at, byte[] part)
    {
        part.CopyTo(blob, at);
        return at + part.Length;
    }

    private static void CheckArguments(SecretBytes ownKey, byte[] data, byte[] aad, XksProxyClient client)
    {
        ArgumentNullException.ThrowIfNull(ownKey);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(aad);
        ArgumentNullException.ThrowIfNull(client);
        if (ownKey.Length != OwnKeySize) throw new ArgumentException("The own key material of a KMS key in an external key store is 32 bytes (AES-256).", nameof(ownKey));
    }
}
