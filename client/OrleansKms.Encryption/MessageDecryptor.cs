using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OrleansKms.Encryption;

/// <summary>
/// Reads one message and writes its plaintext. Checks, in order: the header's form, the required encryption context,
/// the data key (KMS), the key commitment (constant time), the header tag, then each frame's sequence number, nonce,
/// length and tag, exactly one final frame, the signature (signed suite) and that nothing follows the message.
/// Plaintext is gathered in a pooled buffer and written when it is full: only frames whose tag verified, and never the
/// final frame before every check has passed.
/// </summary>
internal sealed class MessageDecryptor
{
    private const int ChunkTarget = 1 << 20;

    private readonly EnvelopeEncryptionOptions _options;

    public MessageDecryptor(EnvelopeEncryptionOptions options) => _options = options;

    public async Task<DecryptResult> DecryptAsync(Stream input, Stream output, IReadOnlyDictionary<string, string>? required, bool streaming,
        Func<MessageHeader, CancellationToken, Task<PlaintextDataKey>> dataKey, CancellationToken cancel)
    {
        using var reader = new MessageReader(input, ChunkTarget + 1024);
        var body = new ArrayBufferWriter<byte>(1024);
        var header = await MessageHeader.ReadAsync(reader, body, _options.MaxEncryptedDataKeys, cancel);
        if (streaming && header.Suite.IsSigned() && _options.SignedStreaming == SignedStreaming.UnsignedOnly)
            throw new EnvelopeException("The message is signed, and streaming decryption of signed messages is turned off (SignedStreaming.UnsignedOnly).");
        if (header.FrameLength > _options.MaxFrameLength)
            throw new EnvelopeException($"The message's frame length {header.FrameLength} is over the limit of {_options.MaxFrameLength} bytes.");
        await reader.EnsureAsync(Suites.TagLength, "the header", cancel);
        var headerTag = reader.Take(Suites.TagLength).ToArray();
        CheckRequiredContext(header, required);

        MessageKeys keys;
        using (var key = await dataKey(header, cancel))
            keys = new MessageKeys(key.Bytes, header.Suite, header.MessageId);
        using var _ = keys;
        if (!CryptographicOperations.FixedTimeEquals(keys.Commitment, header.Commitment))
            throw new MessageTamperedException("The key commitment does not match: the message was changed, or was not written with the data key it names.");
        if (!keys.HeaderTagMatches(body.WrittenSpan, headerTag))
            throw new MessageTamperedException("The header authentication tag does not verify: the header was changed.");

        using var verifier = header.Suite.IsSigned() ? Verifier(header) : null;
        using var hash = verifier is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA384);
        hash?.AppendData(body.WrittenSpan);
        hash?.AppendData(headerTag);
        reader.Hash = hash;

        using var frames = new FrameReader(reader, keys, header, Math.Max(ChunkTarget, header.FrameLength) + Math.Max(header.FrameLength, 1), output);
        var length = header.ContentType == MessageHeader.Framed
                ? await frames.ReadFramedAsync(cancel)
                : await frames.ReadNonFramedAsync(_options.MaxFrameLength, cancel);
        reader.Hash = null;
        if (verifier is not null) await VerifySignatureAsync(reader, verifier, hash!, cancel);
        if (!await reader.AtEndAsync(cancel)) throw new MessageTamperedException("There are bytes after the end of the message.");
        await frames.FlushAsync(cancel);
        await output.FlushAsync(cancel);
        return new DecryptResult(header, length);
    }

    private static void CheckRequiredContext(MessageHeader header, IReadOnlyDictionary<string, string>? required)
    {
        foreach (var (name, value) in required ?? new Dictionary<string, string>())
        {
            if (!header.EncryptionContext.TryGetValue(name, out var actual))
                throw new EnvelopeException($"Encryption context mismatch: the message has no pair '{name}'.");
            if (actual != value)
                throw new EnvelopeException($"Encryption context mismatch: the message's '{name}' is not the value required.");
        }
    }

    private static ECDsa Verifier(MessageHeader header) =>
        header.EncryptionContext.TryGetValue(EncryptionContextCodec.PublicKeyName, out var text)
            ? SignatureKeys.FromPublicKeyText(text)
            : throw new MessageTamperedException($"The message is signed but its encryption context has no '{EncryptionContextCodec.PublicKeyName}'.");

    private static async Task VerifySignatureAsync(MessageReader reader, ECDsa verifier, IncrementalHash hash, CancellationToken cancel)
    {
        await reader.EnsureAsync(2, "the signature", cancel);
        var length = BinaryPrimitives.ReadUInt16BigEndian(reader.Take(2));
        await reader.EnsureAsync(length, "the signature", cancel);
        if (!verifier.VerifyHash(hash.GetHashAndReset(), reader.Take(length), DSASignatureFormat.Rfc3279DerSequence))
            throw new MessageTamperedException("The message signature does not verify: the message was changed.");
    }
}

/// <summary>What decryption found: the header (suite, encryption context, encrypted data keys) and the plaintext length.</summary>
public sealed record DecryptResult(MessageHeader Header, long PlaintextLength)
{
    /// <summary>The message's encryption context (with the SDK's own pairs, e.g. <c>aws-crypto-public-key</c>).</summary>
    public IReadOnlyDictionary<string, string> EncryptionContext => Header.EncryptionContext;
}
