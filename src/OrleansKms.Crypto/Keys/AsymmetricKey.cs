
namespace OrleansKms.Crypto.Keys;

/// <summary>
/// An asymmetric private key (RSA_*, ECC_*, ML_DSA_*, SM2), loaded from its PKCS#8 DER encoding. Which class
/// serves which spec is the <see cref="KeySpecCatalog"/>; each class accepts only the algorithms its spec lists
/// in <see cref="KeySpecCatalog"/> and throws <see cref="KmsCryptoException"/> for the rest. Operations may run
/// concurrently, but not with <see cref="Dispose"/>. Dispose frees the .NET key handles (RSA, NIST and secp256k1
/// curves); the BouncyCastle key objects (Ed25519, ML-DSA, SM2) offer no way to zero them and are left to the GC.
/// </summary>
public abstract class AsymmetricKey : IDisposable
{
    internal delegate AsymmetricKey LoadKey(ReadOnlySpan<byte> pkcs8);

    internal sealed record KeyFactory(Func<SecretBytes> Generate, LoadKey Load);

    /// <summary>A new private key of <paramref name="keySpec"/>, PKCS#8 DER encoded.</summary>
    /// <exception cref="ArgumentException">The spec is not an asymmetric key spec.</exception>
    public static SecretBytes GeneratePrivateKey(string keySpec) => FactoryFor(keySpec).Generate();

    /// <summary>Loads a PKCS#8 private key of <paramref name="keySpec"/>.</summary>
    /// <exception cref="ArgumentException">
    /// The spec is not asymmetric, or the bytes are not a PKCS#8 private key of that spec (wrong algorithm, curve,
    /// parameter set or modulus size, malformed, or trailing bytes).
    /// </exception>
    public static AsymmetricKey Load(string keySpec, ReadOnlySpan<byte> pkcs8) => FactoryFor(keySpec).Load(pkcs8);

    public abstract string KeySpec { get; }

    /// <summary>The public key as an X.509 SubjectPublicKeyInfo, DER encoded (what GetPublicKey returns). A copy.</summary>
    public abstract byte[] PublicKeyDer { get; }

    /// <summary>
    /// Signs <paramref name="message"/>: RAW is hashed by the algorithm, DIGEST is the hash already (its length must
    /// be the algorithm's hash length), EXTERNAL_MU is ML-DSA's 64-byte mu.
    /// </summary>
    public virtual byte[] Sign(ReadOnlySpan<byte> message, string messageType, string signingAlgorithm) =>
        throw KmsCryptoException.Incompatible(signingAlgorithm, KeySpec);

    /// <summary>True for a valid signature; false for a wrong or malformed one (never throws for the signature).</summary>
    public virtual bool Verify(ReadOnlySpan<byte> message, string messageType, ReadOnlySpan<byte> signature, string signingAlgorithm) =>
        throw KmsCryptoException.Incompatible(signingAlgorithm, KeySpec);

    /// <summary>Encrypts with the public key.</summary>
    public virtual byte[] Encrypt(ReadOnlySpan<byte> plaintext, string encryptionAlgorithm) =>
        throw KmsCryptoException.Incompatible(encryptionAlgorithm, KeySpec);

    /// <summary>Decrypts with the private key; <see cref="KmsCryptoError.InvalidCiphertext"/> on any failure.</summary>
    public virtual byte[] Decrypt(ReadOnlySpan<byte> ciphertext, string encryptionAlgorithm) =>
        throw KmsCryptoException.Incompatible(encryptionAlgorithm, KeySpec);

    /// <summary>ECDH with a peer's SubjectPublicKeyInfo on the same curve: the raw shared secret (the x-coordinate).</summary>
    public virtual byte[] DeriveSharedSecret(ReadOnlySpan<byte> peerPublicKeyDer) =>
        throw KmsCryptoException.Incompatible(KmsNames.Ecdh, KeySpec);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    private static KeyFactory FactoryFor(string keySpec) =>
        KeySpecCatalog.TryGet(keySpec, out var info) && info.Factory is { } factory
            ? factory
            : throw new ArgumentException($"{keySpec} is not an asymmetric key spec.", nameof(keySpec));

    /// <summary>Throws <see cref="KmsCryptoError.InvalidDigestLength"/> unless a DIGEST message has the hash's length.</summary>
    private protected static void RequireDigestLength(ReadOnlySpan<byte> digest, int length, string algorithm)
    {
        if (digest.Length != length) throw KmsCryptoException.DigestLength(algorithm);
    }

    internal static ArgumentException NotAKeyOf(string keySpec, Exception? inner = null) =>
        new($"The key material is not a PKCS#8 private key of key spec {keySpec}.", "pkcs8", inner);
}
