using System.Buffers.Binary;
using System.Security.Cryptography;
using OrleansKms.Encryption;

namespace OrleansKms.UnitTests.Encryption;

/// <summary>
/// Writes a non-framed message (content type 0x01), as older SDKs could, from the library's own parts: the library
/// reads such bodies but does not write them. Body: nonce (12) | ciphertext length (8) | ciphertext | tag (16).
/// </summary>
internal static class NonFramed
{
    public static async Task<byte[]> EncryptAsync(KmsKeyring keyring, byte[] plaintext)
    {
        const AlgorithmSuite suite = AlgorithmSuite.AesGcm256HkdfSha512CommitKey;
        var (dataKey, keys) = await keyring.GenerateAsync(new Dictionary<string, string>(), CancellationToken.None);
        var messageId = RandomNumberGenerator.GetBytes(32);
        using var message = new MessageKeys(dataKey, suite, messageId);
        var header = new MessageHeader(suite, messageId, new Dictionary<string, string>(), keys, MessageHeader.NonFramed, 0, message.Commitment).Serialize();
        var tag = new byte[16];
        message.HeaderTag(header, tag);
        var body = new byte[12 + 8 + plaintext.Length + 16];
        BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(12), (ulong)plaintext.Length);
        message.Encrypt(MessageKeys.Block.Single, 1, plaintext, body.AsSpan(0, 12), body.AsSpan(20, plaintext.Length), body.AsSpan(20 + plaintext.Length));
        return [.. header, .. tag, .. body];
    }
}
