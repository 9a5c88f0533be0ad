using System.Buffers.Binary;
using System.Text;

namespace OrleansKms.Crypto;

/// <summary>
/// The canonical byte form of an encryption context, used as AES-GCM associated data. Pairs are sorted by key
/// (ordinal, as UTF-16 code units), so the order a caller sent them in does not matter; a different key, value
/// or pair count changes the bytes.
/// <code>
/// u32 pair count (big-endian)
/// repeat: u32 key length, key UTF-8, u32 value length, value UTF-8
/// </code>
/// An absent and an empty context both encode as the four bytes 00 00 00 00, as in AWS KMS.
/// </summary>
public static class EncryptionContextCodec
{
    public static int GetByteCount(IReadOnlyDictionary<string, string>? context)
    {
        if (context is null) return 4;
        var n = 4;
        foreach (var (k, v) in context) n += 8 + Encoding.UTF8.GetByteCount(k) + Encoding.UTF8.GetByteCount(v);
        return n;
    }

    /// <summary>Writes the canonical form into <paramref name="destination"/> and returns the bytes written.</summary>
    public static int Write(IReadOnlyDictionary<string, string>? context, Span<byte> destination)
    {
        var count = context?.Count ?? 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)count);
        if (count == 0) return 4;
        var keys = new string[count];
        var i = 0;
        foreach (var k in context!.Keys) keys[i++] = k;
        Array.Sort(keys, StringComparer.Ordinal);
        var offset = 4;
        foreach (var key in keys)
        {
            offset += WriteString(key, destination[offset..]);
            offset += WriteString(context[key], destination[offset..]);
        }

        return offset;
    }

    private static int WriteString(string s, Span<byte> destination)
    {
        var written = Encoding.UTF8.GetBytes(s, destination[4..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)written);
        return 4 + written;
    }
}
