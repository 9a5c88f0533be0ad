namespace OrleansKms.Encryption;

/// <summary>
/// The algorithm suites of the AWS Encryption SDK message format version 2 that this library writes and reads. Both
/// commit to the data key (a message decrypts to one plaintext only) and derive per-message keys with HKDF-SHA512.
/// </summary>
public enum AlgorithmSuite : ushort
{
    /// <summary>AES-256-GCM, HKDF-SHA512, key commitment, no signature (ID 0x0478).</summary>
    AesGcm256HkdfSha512CommitKey = 0x0478,

    /// <summary>
    /// AES-256-GCM, HKDF-SHA512, key commitment and an ECDSA P-384 signature over the whole message (ID 0x0578): the
    /// default, as in the official SDKs. Only holders of the signing key, not every holder of the data key, can write a
    /// message that verifies.
    /// </summary>
    AesGcm256HkdfSha512CommitKeyEcdsaP384 = 0x0578,
}

/// <summary>The constants of the supported suites.</summary>
internal static class Suites
{
    public const int DataKeyLength = 32;
    public const int IvLength = 12;
    public const int TagLength = 16;
    public const int MessageIdLength = 32;
    public const int CommitmentLength = 32;

    public static bool IsSupported(ushort id) => id is (ushort)AlgorithmSuite.AesGcm256HkdfSha512CommitKey or (ushort)AlgorithmSuite.AesGcm256HkdfSha512CommitKeyEcdsaP384;

    public static bool IsSigned(this AlgorithmSuite suite) => suite == AlgorithmSuite.AesGcm256HkdfSha512CommitKeyEcdsaP384;
}
