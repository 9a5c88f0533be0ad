using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OrleansKms.Encryption;

/// <summary>
/// The keys of one message, derived from its data key with HKDF-SHA512 (salt: the message id): the AES-256-GCM key
/// (info: suite id || "DERIVEKEY") and the 32-byte commitment key stored in the header (info: "COMMITKEY"). Encrypts
/// and decrypts frames with one reused <see cref="AesGcm"/> and preallocated AAD buffers: no allocation per frame.
/// Frame AAD: message id (32) || "AWSKMSEncryptionClient Frame" (or "... Final Frame", "... Single Block") ||
/// sequence number (UInt32) || plaintext length (UInt64). Frame nonce: 8 zero bytes || sequence number (UInt32).
/// </summary>
internal sealed class MessageKeys : IDisposable
{
    private static readonly byte[] FrameLabel = "AWSKMSEncryptionClient Frame"u8.ToArray();
    private static readonly byte[] FinalFrameLabel = "AWSKMSEncryptionClient Final Frame"u8.ToArray();
    private static readonly byte[] SingleBlockLabel = "AWSKMSEncryptionClient Single Block"u8.ToArray();

    private readonly AesGcm _aes;
    private readonly byte[] _frameAad;
    private readonly byte[] _finalAad;
    private readonly byte[] _singleAad;

    public MessageKeys(ReadOnlySpan<byte> dataKey, AlgorithmSuite suite, byte[] messageId)
    {
        if (dataKey.Length != Suites.DataKeyLength) throw new EnvelopeException("The data key is not 32 bytes long.");
        Span<byte> prk = stackalloc byte[64];
        Span<byte> key = stackalloc byte[Suites.DataKeyLength];
        Span<byte> info = stackalloc byte[2 + 9];
        try
        {
            HKDF.Extract(HashAlgorithmName.SHA512, dataKey, messageId, prk);
            BinaryPrimitives.WriteUInt16BigEndian(info, (ushort)suite);
            "DERIVEKEY"u8.CopyTo(info[2..]);
            HKDF.Expand(HashAlgorithmName.SHA512, prk, key, info);
            Commitment = new byte[Suites.CommitmentLength];
            HKDF.Expand(HashAlgorithmName.SHA512, prk, Commitment, "COMMITKEY"u8);
            _aes = new AesGcm(key, Suites.TagLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
            CryptographicOperations.ZeroMemory(key);
        }

        _frameAad = Aad(messageId, FrameLabel);
        _finalAad = Aad(messageId, FinalFrameLabel);
        _singleAad = Aad(messageId, SingleBlockLabel);
    }

    /// <summary>The commitment key: the header stores it, decryption compares it in constant time.</summary>
    public byte[] Commitment { get; }

    public enum Block { Regular, Final, Single }

    public void HeaderTag(ReadOnlySpan<byte> headerBody, Span<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[Suites.IvLength];
        nonce.Clear();
        _aes.Encrypt(nonce, [], [], tag, headerBody);
    }

    public bool HeaderTagMatches(ReadOnlySpan<byte> headerBody, ReadOnlySpan<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[Suites.IvLength];
        nonce.Clear();
        try
        {
            _aes.Decrypt(nonce, [], tag, [], headerBody);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    /// <summary>Writes the frame's nonce (12 bytes) to <paramref name="nonce"/> and encrypts.</summary>
    public void Encrypt(Block block, uint sequence, ReadOnlySpan<byte> plaintext, Span<byte> nonce, Span<byte> ciphertext, Span<byte> tag)
    {
        Nonce(sequence, nonce);
        _aes.Encrypt(nonce, plaintext, ciphertext, tag, PrepareAad(block, sequence, plaintext.Length));
    }

    /// <summary>Decrypts a frame; false when its tag does not verify (nothing of <paramref name="plaintext"/> is then valid).</summary>
    public bool TryDecrypt(Block block, uint sequence, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag,
        Span<byte> plaintext)
    {
        try
        {
            _aes.Decrypt(nonce, ciphertext, tag, plaintext, PrepareAad(block, sequence, ciphertext.Length));
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }
    }

    public static void Nonce(uint sequence, Span<byte> nonce)
    {
        nonce[..8].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], sequence);
    }

    private byte[] PrepareAad(Block block, uint sequence, long length)
    {
        var aad = block switch { Block.Regular => _frameAad, Block.Final => _finalAad, _ => _singleAad };
        BinaryPrimitives.WriteUInt32BigEndian(aad.AsSpan(aad.Length - 12), sequence);
        BinaryPrimitives.WriteUInt64BigEndian(aad.AsSpan(aad.Length - 8), (ulong)length);
        return aad;
    }

    private static byte[] Aad(byte[] messageId, byte[] label)
    {
        var aad = new byte[messageId.Length + label.Length + 12];
        messageId.CopyTo(aad, 0);
        label.CopyTo(aad, messageId.Length);
        return aad;
    }

    public void Dispose() => _aes.Dispose();
}
