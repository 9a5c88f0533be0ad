namespace OrleansKms.Crypto.Keys;

/// <summary>What went wrong in an asymmetric or HMAC operation; the gateway maps each to its AWS error.</summary>
public enum KmsCryptoError
{
    /// <summary>A DIGEST (or EXTERNAL_MU) message whose length is not the algorithm's hash length.</summary>
    InvalidDigestLength,

    /// <summary>More plaintext than the key spec and algorithm can encrypt.</summary>
    PlaintextTooLarge,

    /// <summary>Ciphertext that does not decrypt under this key and algorithm.</summary>
    InvalidCiphertext,

    /// <summary>A peer public key that is malformed, not a point of the curve, or of another curve.</summary>
    InvalidPublicKey,

    /// <summary>An algorithm the key spec does not support for this operation.</summary>
    UnsupportedAlgorithm,

    /// <summary>A message type the algorithm does not accept (e.g. DIGEST for ML-DSA, RAW for Ed25519ph), or an empty plaintext where none can be encrypted.</summary>
    InvalidMessage,
}

/// <summary>A failed key operation, worded as AWS words it where AWS's wording is known.</summary>
public sealed class KmsCryptoException(KmsCryptoError error, string message) : Exception(message)
{
    public KmsCryptoError Error { get; } = error;

    internal static KmsCryptoException Incompatible(string algorithm, string keySpec) =>
        new(KmsCryptoError.UnsupportedAlgorithm, $"Algorithm {algorithm} is incompatible with key spec {keySpec}.");

    internal static KmsCryptoException DigestLength(string algorithm) =>
        new(KmsCryptoError.InvalidDigestLength, $"Digest is invalid length for algorithm {algorithm}.");

    internal static KmsCryptoException TooLarge(string algorithm, string keySpec, int max) =>
        new(KmsCryptoError.PlaintextTooLarge,
            $"Algorithm {algorithm} and key spec {keySpec} cannot encrypt data larger than {max} bytes.");

    internal static KmsCryptoException BadCiphertext() =>
        new(KmsCryptoError.InvalidCiphertext, "The ciphertext is invalid for this key and encryption algorithm.");

    internal static KmsCryptoException BadPublicKey(string detail) => new(KmsCryptoError.InvalidPublicKey, detail);

    internal static KmsCryptoException MessageTypeNotAllowed(string messageType, string algorithm) =>
        new(KmsCryptoError.InvalidMessage, $"MessageType {messageType} is not supported for signing algorithm {algorithm}.");
}
