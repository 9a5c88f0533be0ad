using System.Buffers.Binary;
using System.Text;

namespace OrleansKms.Encryption;

/// <summary>
/// The serialised encryption context of the message header: a UInt16 count of pairs, then per pair a UInt16 key
/// length, the UTF-8 key, a UInt16 value length and the UTF-8 value, pairs in ascending order of the keys' UTF-8 bytes.
/// An empty context serialises to no bytes at all (the header's AAD length is then 0 and there is no count).
/// </summary>
internal static class EncryptionContextCodec
{
    /// <summary>Keys with this prefix are the SDK's own (e.g. the signature's public key); callers may not set them.</summary>
    public const string ReservedPrefix = "aws-crypto-";

    public const string PublicKeyName = "aws-crypto-public-key";

    public static byte[] Serialize(IReadOnlyDictionary<string, string> context)
    {
        if (context.Count == 0) return [];
        if (context.Count > ushort.MaxValue) throw new EnvelopeException("The encryption context has more than 65535 pairs.");
        var pairs = context.Select(p => (Key: Encoding.UTF8.GetBytes(p.Key), Value: Encoding.UTF8.GetBytes(p.Value)))
            .OrderBy(p => p.Key, ByteOrder.Instance).ToList();
        var length = 2 + pairs.Sum(p => 4 + p.Key.Length + p.Value.Length);
        if (length > ushort.MaxValue) throw new EnvelopeException("The serialised encryption context is longer than 65535 bytes.");
        var bytes = new byte[length];
        var at = 0;
        WriteUInt16(bytes, ref at, pairs.Count);
        foreach (var (key, value) in pairs)
        {
            WriteUInt16(bytes, ref at, key.Length);
            key.CopyTo(bytes, at);
            at += key.Length;
            WriteUInt16(bytes, ref at, value.Length);
            value.CopyTo(bytes, at);
            at += value.Length;
        }

        return bytes;
    }

    public static Dictionary<string, string> Deserialize(ReadOnlySpan<byte> bytes)
    {
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        if (bytes.IsEmpty) return context;
        var at = 0;
        var count = ReadUInt16(bytes, ref at);
        if (count == 0) throw new MessageTamperedException("The header's encryption context has a count of 0 pairs but is not empty.");
        byte[]? previous = null;
        for (var i = 0; i < count; i++)
        {
            var key = ReadField(bytes, ref at);
            var value = ReadField(bytes, ref at);
            if (previous is not null && ByteOrder.Instance.Compare(previous, key.ToArray()) >= 0)
                throw new MessageTamperedException("The header's encryption context is not in canonical order or repeats a key.");
            previous = key.ToArray();
            context[Utf8(key)] = Utf8(value);
        }

        if (at != bytes.Length) throw new MessageTamperedException("The header's encryption context has bytes after its last pair.");
        return context;
    }

    private static ReadOnlySpan<byte> ReadField(ReadOnlySpan<byte> bytes, ref int at)
    {
        var length = ReadUInt16(bytes, ref at);
        if (at + length > bytes.Length) throw new MessageTamperedException("The header's encryption context is shorter than its lengths say.");
        var field = bytes.Slice(at, length);
        at += length;
        return field;
    }

    private static string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new MessageTamperedException("The header's encryption context is not valid UTF-8.");
        }
    }

    private static int ReadUInt16(ReadOnlySpan<byte> bytes, ref int at)
    {
        if (at + 2 > bytes.Length) throw new MessageTamperedException("The header's encryption context is shorter than its lengths say.");
        var value = BinaryPrimitives.ReadUInt16BigEndian(bytes[at..]);
        at += 2;
        return value;
    }

    private static void WriteUInt16(byte[] bytes, ref int at, int value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), checked((ushort)value));
        at += 2;
    }

    /// <summary>Lexicographic order of byte strings (unsigned bytes), as the format sorts keys.</summary>
    internal sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
