namespace OrleansKms.KeyStores;

/// <summary>
/// A PKCS#11 token holding AES keys that never leave it: keys are generated inside the token (sensitive, never
/// extractable) and every encryption and decryption runs in the token. Safe for concurrent callers.
/// Open one with <see cref="Pkcs11Tokens.Open"/>.
/// </summary>
/// <remarks>
/// Errors: <see cref="KeyNotFoundException"/> when no key has the label; <see cref="NotSupportedException"/> when the
/// key of that label is not an AES key that may encrypt and decrypt; <see cref="InvalidOperationException"/> (its
/// message naming the module, the token and the PKCS#11 return code) when the token itself fails.
/// </remarks>
public interface IHsmToken : IDisposable
{
    /// <summary>The token's label (CK_TOKEN_INFO.label, without padding).</summary>
    string TokenLabel { get; }

    /// <summary>The token's serial number (CK_TOKEN_INFO.serialNumber, without padding).</summary>
    string SerialNumber { get; }

    /// <summary>
    /// Generates an AES-256 key inside the token: CKA_TOKEN, CKA_PRIVATE and CKA_SENSITIVE true, CKA_EXTRACTABLE false,
    /// CKA_ENCRYPT and CKA_DECRYPT true, CKA_LABEL <paramref name="label"/>. Throws <see cref="InvalidOperationException"/>
    /// if a secret key of that label exists.
    /// </summary>
    void GenerateAesKey(string label);

    /// <summary>Whether the token holds a secret key of that label.</summary>
    bool HasKey(string label);

    /// <summary>Destroys the secret key of that label; <see cref="KeyNotFoundException"/> when there is none.</summary>
    void DeleteKey(string label);

    /// <summary>
    /// AES-256-GCM inside the token with a fresh 12-byte IV from a CSPRNG and a 16-byte tag. Returns
    /// <c>iv(12) || ciphertext (as long as the plaintext) || tag(16)</c>.
    /// </summary>
    byte[] Encrypt(string label, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> additionalData);

    /// <summary>
    /// Decrypts an <see cref="Encrypt"/> blob in the token. Throws
    /// <see cref="System.Security.Cryptography.CryptographicException"/> when the blob or the additional data was
    /// altered (tag mismatch) or the blob is malformed (shorter than 28 bytes); <see cref="KeyNotFoundException"/>
    /// when there is no key of that label.
    /// </summary>
    byte[] Decrypt(string label, ReadOnlySpan<byte> blob, ReadOnlySpan<byte> additionalData);

    /// <summary><paramref name="count"/> bytes from the token's random number generator.</summary>
    byte[] GenerateRandom(int count);

    /// <summary>What is in the token, for operators and tests that look inside: every secret key with its label and attributes.</summary>
    IReadOnlyList<HsmKeyInfo> Keys();
}

/// <summary>A secret key in a token, as its attributes describe it (never its value).</summary>
/// <param name="Label">CKA_LABEL.</param>
/// <param name="KeyType">CKA_KEY_TYPE without the <c>CKK_</c> prefix, e.g. <c>AES</c>.</param>
/// <param name="ValueLength">CKA_VALUE_LEN in bytes (32 for AES-256), 0 when the key type has none.</param>
/// <param name="Extractable">CKA_EXTRACTABLE: whether the key may be wrapped out of the token.</param>
/// <param name="Sensitive">CKA_SENSITIVE: whether the key value may never be read in plaintext.</param>
/// <param name="NeverExtractable">CKA_NEVER_EXTRACTABLE: whether the key was never extractable since its creation.</param>
public sealed record HsmKeyInfo(string Label, string KeyType, int ValueLength, bool Extractable, bool Sensitive, bool NeverExtractable);
