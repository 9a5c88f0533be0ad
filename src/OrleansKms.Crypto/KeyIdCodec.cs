namespace OrleansKms.Crypto;

/// <summary>
/// The 17-byte form of a key id inside a ciphertext blob: one flag byte (0 = UUID key id, 1 = <c>mrk-</c>
/// multi-Region key id) and the 16 bytes of the id (the UUID in RFC 4122 byte order, or the 32 hex digits).
/// </summary>
public static class KeyIdCodec
{
    public const int Size = 17;
    private const string MrkPrefix = "mrk-";

    public static bool TryWrite(string keyId, Span<byte> destination)
    {
        if (keyId.StartsWith(MrkPrefix, StringComparison.Ordinal))
        {
            destination[0] = 1;
            return Convert.FromHexString(keyId.AsSpan(MrkPrefix.Length), destination.Slice(1, 16), out _, out var written)
                == System.Buffers.OperationStatus.Done && written == 16;
        }

        destination[0] = 0;
        return Guid.TryParseExact(keyId, "D", out var guid) && guid.TryWriteBytes(destination.Slice(1, 16), bigEndian: true, out _);
    }

    public static string? TryRead(ReadOnlySpan<byte> source)
    {
        return source[0] switch
        {
            0 => new Guid(source.Slice(1, 16), bigEndian: true).ToString("D"),
            1 => MrkPrefix + Convert.ToHexStringLower(source.Slice(1, 16)),
            _ => null,
        };
    }
}
