using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace OrleansKms.Hosting.Durability;

/// <summary>What a journaled table write did.</summary>
public enum TableWriteKind : byte
{
    /// <summary>Insert, replace or insert-or-replace of an entity: replayed as insert-or-replace.</summary>
    Replace = 1,

    /// <summary>Merge or insert-or-merge of an entity: replayed as insert-or-merge.</summary>
    Merge = 2,

    /// <summary>Delete of an entity: replayed as an unconditional delete (a missing entity is fine).</summary>
    Delete = 3,

    /// <summary>Creation of a table: replayed as create-if-missing.</summary>
    CreateTable = 4,
}

/// <summary>
/// One table write that storage acknowledged, as the journal keeps it: enough to apply it again, unconditionally
/// and idempotently, to a table that may or may not have it already.
/// <para>
/// Frame layout (little endian): <c>u32 length</c> of the payload, <c>u32 CRC-32</c> of the payload, then the
/// payload: <c>u8 format (1)</c>, <c>u8 kind</c>, three strings (table, partition key, row key) each as a
/// <c>u32 byte count</c> and UTF-8 bytes, then <c>u32 byte count</c> and the entity's JSON body as the table
/// service received it (empty for deletes and tables). A frame cut short or failing its CRC ends a segment: it was
/// being written when the process died, so it was never acknowledged.
/// </para>
/// </summary>
public sealed record TableWrite(TableWriteKind Kind, string Table, string PartitionKey, string RowKey, byte[] Body)
{
    private const byte Format = 1;
    private const int HeaderSize = 8;

    /// <summary>Largest payload a frame may claim (Azure Table entities are at most 1 MiB).</summary>
    private const int MaxPayload = 8 << 20;

    public byte[] ToFrame()
    {
        var payloadLength = 2 + StringSize(Table) + StringSize(PartitionKey) + StringSize(RowKey) + 4 + Body.Length;
        var frame = new byte[HeaderSize + payloadLength];
        var payload = frame.AsSpan(HeaderSize);
        payload[0] = Format;
        payload[1] = (byte)Kind;
        var at = 2;
        at += WriteString(payload[at..], Table);
        at += WriteString(payload[at..], PartitionKey);
        at += WriteString(payload[at..], RowKey);
        BinaryPrimitives.WriteInt32LittleEndian(payload[at..], Body.Length);
        Body.CopyTo(payload[(at + 4)..]);
        BinaryPrimitives.WriteInt32LittleEndian(frame, payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Crc32.HashToUInt32(payload));
        return frame;
    }

    /// <summary>The writes of a stream of frames, up to the first frame that is cut short or damaged.</summary>
    public static IEnumerable<TableWrite> ReadFrames(Stream stream)
    {
        var header = new byte[HeaderSize];
        while (stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) == HeaderSize)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (length is <= 2 or > MaxPayload) yield break;
            var payload = new byte[length];
            if (stream.ReadAtLeast(payload, length, throwOnEndOfStream: false) != length) yield break;
            if (Crc32.HashToUInt32(payload) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4))) yield break;
            if (Parse(payload) is not { } write) yield break;
            yield return write;
        }
    }

    private static TableWrite? Parse(ReadOnlySpan<byte> payload)
    {
        if (payload[0] != Format || !Enum.IsDefined((TableWriteKind)payload[1])) return null;
        var at = 2;
        if (!TryReadString(payload, ref at, out var table) || !TryReadString(payload, ref at, out var partitionKey)
            || !TryReadString(payload, ref at, out var rowKey) || !TryReadBytes(payload, ref at, out var body) || at != payload.Length)
        {
            return null;
        }

        return new TableWrite((TableWriteKind)payload[1], table, partitionKey, rowKey, body);
    }

    private static int StringSize(string value) => 4 + Encoding.UTF8.GetByteCount(value);

    private static int WriteString(Span<byte> target, string value)
    {
        var count = Encoding.UTF8.GetBytes(value, target[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(target, count);
        return 4 + count;
    }

    private static bool TryReadString(ReadOnlySpan<byte> payload, ref int at, out string value)
    {
        value = "";
        if (!TryReadBytes(payload, ref at, out var bytes)) return false;
        value = Encoding.UTF8.GetString(bytes);
        return true;
    }

    private static bool TryReadBytes(ReadOnlySpan<byte> payload, ref int at, out byte[] value)
    {
        value = [];
        if (payload.Length - at < 4) return false;
        var count = BinaryPrimitives.ReadInt32LittleEndian(payload[at..]);
        if (count < 0 || count > payload.Length - at - 4) return false;
        value = payload.Slice(at + 4, count).ToArray();
        at += 4 + count;
        return true;
    }
}
