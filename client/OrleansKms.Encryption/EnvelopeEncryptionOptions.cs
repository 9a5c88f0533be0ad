namespace OrleansKms.Encryption;

/// <summary>How <see cref="EnvelopeEncryptionClient"/> writes and reads messages. Every property has a safe default.</summary>
public sealed class EnvelopeEncryptionOptions
{
    /// <summary>The default frame length: 4096 bytes, as in the official SDKs (see docs/envelope-encryption.md for speed).</summary>
    public const int DefaultFrameLength = 4096;

    /// <summary>The suite of new messages (default: the signed suite, 0x0578, as in the official SDKs).</summary>
    public AlgorithmSuite Algorithm { get; set; } = AlgorithmSuite.AesGcm256HkdfSha512CommitKeyEcdsaP384;

    /// <summary>Plaintext bytes per frame of new messages (default <see cref="DefaultFrameLength"/>; 1 to <see cref="MaxFrameLength"/>).</summary>
    public int FrameLength { get; set; } = DefaultFrameLength;

    /// <summary>
    /// Decryption refuses messages whose frames (or non-framed body) are longer: a frame is held in memory whole before its
    /// tag is checked, so this bounds memory. Default 64 MiB.
    /// </summary>
    public int MaxFrameLength { get; set; } = 64 << 20;

    /// <summary>Decryption refuses messages with more encrypted data keys (default 256): each may cost a KMS call.</summary>
    public int MaxEncryptedDataKeys { get; set; } = 256;

    /// <summary>Data keys reused across messages (default none: one GenerateDataKey per message, one Decrypt per message).</summary>
    public DataKeyCache? Cache { get; set; }

    /// <summary>What streaming decryption does with signed messages (default <see cref="SignedStreaming.ReleaseVerifiedFrames"/>).</summary>
    public SignedStreaming SignedStreaming { get; set; } = SignedStreaming.ReleaseVerifiedFrames;
}

/// <summary>
/// Whether stream decryption writes plaintext of a signed message before the signature at its end is verified. Byte-array
/// and file decryption never do (a file is written under a temporary name and renamed only when every check passed).
/// </summary>
public enum SignedStreaming
{
    /// <summary>
    /// Frames are written once their own AES-GCM tag verifies (they are authenticated by the data key); the final frame
    /// only after the signature verifies, as the specification allows. If decryption then fails, the caller must discard
    /// what was written: it is authenticated but not signed.
    /// </summary>
    ReleaseVerifiedFrames,

    /// <summary>Signed messages are refused right after the header ("streaming unsigned only", as the official SDKs offer).</summary>
    UnsignedOnly,
}
