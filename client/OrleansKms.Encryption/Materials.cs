using System.Security.Cryptography;

namespace OrleansKms.Encryption;

/// <summary>
/// What one message is encrypted with: the plaintext data key, its encrypted copies, the full encryption context (with
/// the public key of the signed suite) and the private signing key. Owns its secrets and zeroes them when disposed;
/// the cache hands out copies, so a message never depends on an entry that may be evicted meanwhile.
/// </summary>
internal sealed class EncryptionMaterials : IDisposable
{
    public EncryptionMaterials(AlgorithmSuite suite, byte[] dataKey, IReadOnlyList<EncryptedDataKey> dataKeys,
        IReadOnlyDictionary<string, string> context, byte[]? signingKey)
    {
        Suite = suite;
        DataKey = dataKey;
        EncryptedDataKeys = dataKeys;
        EncryptionContext = context;
        SigningKey = signingKey;
    }

    public AlgorithmSuite Suite { get; }

    public byte[] DataKey { get; }

    public IReadOnlyList<EncryptedDataKey> EncryptedDataKeys { get; }

    public IReadOnlyDictionary<string, string> EncryptionContext { get; }

    /// <summary>The ECDSA P-384 private key as PKCS#8 (signed suite only).</summary>
    public byte[]? SigningKey { get; }

    public EncryptionMaterials Copy() =>
        new(Suite, (byte[])DataKey.Clone(), EncryptedDataKeys, EncryptionContext, (byte[]?)SigningKey?.Clone());

    public ECDsa? CreateSigner()
    {
        if (SigningKey is null) return null;
        var signer = ECDsa.Create();
        signer.ImportPkcs8PrivateKey(SigningKey, out _);
        return signer;
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(DataKey);
        if (SigningKey is not null) CryptographicOperations.ZeroMemory(SigningKey);
    }
}

/// <summary>
/// A KMS-decrypted data key: wraps the 32 bytes, zeroes them on disposal, and has no <c>ToString</c> that would show them.
/// </summary>
internal sealed class PlaintextDataKey(byte[] bytes) : IDisposable
{
    public ReadOnlySpan<byte> Bytes => bytes;

    public PlaintextDataKey Copy() => new((byte[])bytes.Clone());

    public void Dispose() => CryptographicOperations.ZeroMemory(bytes);

    public override string ToString() => "PlaintextDataKey(32 bytes, hidden)";
}
