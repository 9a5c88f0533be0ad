using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace OrleansKms.Encryption;

/// <summary>
/// The header of a message in format version 2, big-endian:
/// <code>
/// version (1) = 0x02 | suite id (2) | message id (32)
/// AAD length (2) | serialised encryption context (AAD length bytes; none when empty)
/// EDK count (2) | per EDK: provider id length (2), provider id, provider info length (2), provider info, key length (2), key
/// content type (1): 0x01 non-framed, 0x02 framed | frame length (4) | commitment key (32)
/// header authentication tag (16): AES-GCM with the derived key, nonce 0, empty plaintext, AAD = every byte above
/// </code>
/// </summary>
public sealed class MessageHeader
{
    internal const byte Version = 0x02;
    internal const byte NonFramed = 0x01;
    internal const byte Framed = 0x02;

    internal MessageHeader(AlgorithmSuite suite, byte[] messageId, IReadOnlyDictionary<string, string> context,
        IReadOnlyList<EncryptedDataKey> dataKeys, byte contentType, int frameLength, byte[] commitment)
    {
        Suite = suite;
        MessageId = messageId;
        EncryptionContext = context;
        EncryptedDataKeys = dataKeys;
        ContentType = contentType;
        FrameLength = frameLength;
        Commitment = commitment;
    }

    /// <summary>The algorithm suite the message was written with.</summary>
    public AlgorithmSuite Suite { get; }

    /// <summary>The message's random 32-byte identifier (the salt of its key derivation).</summary>
    public byte[] MessageId { get; }

    /// <summary>The encryption context, including the SDK's own pairs (the signed suite's <c>aws-crypto-public-key</c>).</summary>
    public IReadOnlyDictionary<string, string> EncryptionContext { get; }

    /// <summary>The encrypted copies of the data key, one per wrapping key.</summary>
    public IReadOnlyList<EncryptedDataKey> EncryptedDataKeys { get; }

    /// <summary>The plaintext bytes per regular frame (0 for a non-framed body).</summary>
    public int FrameLength { get; }

    internal byte ContentType { get; }

    internal byte[] Commitment { get; }

    /// <summary>The header body: every byte the authentication tag covers.</summary>
    internal byte[] Serialize()
    {
        var context = EncryptionContextCodec.Serialize(EncryptionContext);
        var writer = new ArrayBufferWriter<byte>(256 + context.Length);
        Put(writer, [Version]);
        PutUInt16(writer, (int)Suite);
        Put(writer, MessageId);
        PutUInt16(writer, context.Length);
        Put(writer, context);
        PutUInt16(writer, EncryptedDataKeys.Count);
        foreach (var key in EncryptedDataKeys)
        {
            PutField(writer, Encoding.UTF8.GetBytes(key.ProviderId));
            PutField(writer, key.ProviderInfo);
            PutField(writer, key.Ciphertext);
        }

        Put(writer, [ContentType]);
        Span<byte> frame = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(frame, FrameLength);
        Put(writer, frame);
        Put(writer, Commitment);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a header body from <paramref name="reader"/>; the bytes read go to <paramref name="body"/> for the tag.</summary>
    internal static async ValueTask<MessageHeader> ReadAsync(MessageReader reader, ArrayBufferWriter<byte> body, int maxDataKeys,
        CancellationToken cancel)
    {
        var fixedStart = await TakeAsync(reader, body, 3, cancel);
        if (fixedStart[0] != Version)
        {
            throw new EnvelopeException(fixedStart[0] == 0x01
                ? "The message is in format version 1 (a non-committing algorithm suite); only version 2 is supported."
                : "The input is not an AWS Encryption SDK message (unknown format version).");
        }

        var suiteId = BinaryPrimitives.ReadUInt16BigEndian(fixedStart.AsSpan(1));
        if (!Suites.IsSupported(suiteId)) throw new EnvelopeException($"The message's algorithm suite 0x{suiteId:X4} is not supported.");
        var messageId = await TakeAsync(reader, body, Suites.MessageIdLength, cancel);
        var contextLength = await UInt16Async(reader, body, cancel);
        var context = EncryptionContextCodec.Deserialize(await TakeAsync(reader, body, contextLength, cancel));
        var keyCount = await UInt16Async(reader, body, cancel);
        if (keyCount == 0) throw new MessageTamperedException("The message header lists no encrypted data key.");
        if (keyCount > maxDataKeys)
            throw new EnvelopeException($"The message has {keyCount} encrypted data keys, more than the limit of {maxDataKeys}.");
        var keys = new List<EncryptedDataKey>(keyCount);
        for (var i = 0; i < keyCount; i++)
        {
            var provider = await TakeAsync(reader, body, await UInt16Async(reader, body, cancel), cancel);
            var info = await TakeAsync(reader, body, await UInt16Async(reader, body, cancel), cancel);
            var ciphertext = await TakeAsync(reader, body, await UInt16Async(reader, body, cancel), cancel);
            keys.Add(new EncryptedDataKey(Encoding.UTF8.GetString(provider), info, ciphertext));
        }

        var tail = await TakeAsync(reader, body, 1 + 4 + Suites.CommitmentLength, cancel);
        var contentType = tail[0];
        var frameLength = BinaryPrimitives.ReadUInt32BigEndian(tail.AsSpan(1));
        if (contentType is not (Framed or NonFramed)) throw new MessageTamperedException($"The message's content type 0x{contentType:X2} is unknown.");
        if (contentType == Framed && (frameLength == 0 || frameLength > int.MaxValue))
            throw new MessageTamperedException($"The message's frame length {frameLength} is not valid.");
        if (contentType == NonFramed && frameLength != 0) throw new MessageTamperedException("A non-framed message must have a frame length of 0.");
        return new MessageHeader((AlgorithmSuite)suiteId, messageId, context, keys, contentType, (int)frameLength, tail[5..]);
    }

    private static async ValueTask<byte[]> TakeAsync(MessageReader reader, ArrayBufferWriter<byte> body, int count, CancellationToken cancel)
    {
        await reader.EnsureAsync(count, "the header", cancel);
        var bytes = reader.Take(count).ToArray();
        body.Write(bytes);
        return bytes;
    }

    private static async ValueTask<int> UInt16Async(MessageReader reader, ArrayBufferWriter<byte> body, CancellationToken cancel) =>
        BinaryPrimitives.ReadUInt16BigEndian(await TakeAsync(reader, body, 2, cancel));

    private static void Put(ArrayBufferWriter<byte> writer, ReadOnlySpan<byte> bytes) => writer.Write(bytes);

    private static void PutField(ArrayBufferWriter<byte> writer, byte[] bytes)
    {
        if (bytes.Length > ushort.MaxValue) throw new EnvelopeException("A header field is longer than 65535 bytes.");
        PutUInt16(writer, bytes.Length);
        Put(writer, bytes);
    }

    private static void PutUInt16(ArrayBufferWriter<byte> writer, int value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, checked((ushort)value));
        Put(writer, bytes);
    }
}
