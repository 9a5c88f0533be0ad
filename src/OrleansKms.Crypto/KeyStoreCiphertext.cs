
namespace OrleansKms.Crypto;

/// <summary>
/// The ciphertext blob of a key in a custom key store, format version 2: the same header as version 1 up to the key
/// material id, then the key store's own ciphertext (an HSM's AES-GCM, or the double encryption of an external key
/// store). The header and the canonical encryption context are that ciphertext's associated data.
/// <code>
/// offset  size  field
///      0     1  format version, 0x02
///      1    17  key id (<see cref="KeyIdCodec"/>)
///     18    32  key material id (the key store key's id in this service)
///     50     n  the key store's ciphertext (its own layout, authenticated over the associated data)
/// </code>
/// Stable across releases, like version 1.
/// </summary>
public readonly struct KeyStoreCiphertext
{
    public const byte Version2 = 0x02;
    public const int HeaderSize = 1 + KeyIdCodec.Size + CiphertextBlob.MaterialIdSize;

    private readonly ReadOnlyMemory<byte> _blob;

    private KeyStoreCiphertext(ReadOnlyMemory<byte> blob) => _blob = blob;

    /// <summary>Whether <paramref name="blob"/> is a version 2 blob (its first byte); says nothing of its validity.</summary>
    public static bool IsVersion2(ReadOnlySpan<byte> blob) => blob.Length > 0 && blob[0] == Version2;

    public static bool TryParse(ReadOnlyMemory<byte> blob, out KeyStoreCiphertext parsed)
    {
        parsed = default;
        if (blob.Length <= HeaderSize || blob.Span[0] != Version2 || KeyIdCodec.TryRead(blob.Span.Slice(1, KeyIdCodec.Size)) is null) return false;
        parsed = new KeyStoreCiphertext(blob);
        return true;
    }

    public string KeyId => KeyIdCodec.TryRead(_blob.Span.Slice(1, KeyIdCodec.Size))!;

    public string MaterialId => Convert.ToHexStringLower(_blob.Span.Slice(1 + KeyIdCodec.Size, CiphertextBlob.MaterialIdSize));

    /// <summary>The key store's ciphertext.</summary>
    public ReadOnlyMemory<byte> Payload => _blob[HeaderSize..];

    /// <summary>The associated data of <see cref="Payload"/>: this blob's header and the canonical encryption context.</summary>
    public byte[] AssociatedData(IReadOnlyDictionary<string, string>? context) => AssociatedData(_blob.Span[..HeaderSize], context);

    /// <summary>The header of a new blob for a key and material.</summary>
    public static byte[] Header(string keyId, string materialIdHex)
    {
        var header = new byte[HeaderSize];
        header[0] = Version2;
        if (!KeyIdCodec.TryWrite(keyId, header.AsSpan(1, KeyIdCodec.Size))) throw new ArgumentException($"'{keyId}' is not a key id.", nameof(keyId));
        Convert.FromHexString(materialIdHex, header.AsSpan(1 + KeyIdCodec.Size), out _, out _);
        return header;
    }

    public static byte[] AssociatedData(ReadOnlySpan<byte> header, IReadOnlyDictionary<string, string>? context)
    {
        var aad = new byte[header.Length + EncryptionContextCodec.GetByteCount(context)];
        header.CopyTo(aad);
        EncryptionContextCodec.Write(context, aad.AsSpan(header.Length));
        return aad;
    }

    /// <summary>A whole blob: <paramref name="header"/> then <paramref name="payload"/>.</summary>
    public static byte[] Compose(byte[] header, byte[] payload) => [.. header, .. payload];
}
