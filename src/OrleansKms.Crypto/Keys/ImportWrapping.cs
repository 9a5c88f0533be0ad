using System.Security.Cryptography;

namespace OrleansKms.Crypto.Keys;

/// <summary>
/// The wrapping keys and algorithms of GetParametersForImport and ImportKeyMaterial. RSAES_OAEP_SHA_1/256: the
/// material is RSA-OAEP encrypted under the wrapping public key. RSA_AES_KEY_WRAP_SHA_1/256: the encrypted material
/// is RSA-OAEP(ephemeral AES-256 key), exactly one modulus long, followed by AES-KWP (RFC 5649) of the material
/// under that ephemeral key. SM2PKE (China Regions): the material encrypted under the SM2 wrapping public key, in the
/// DER form of <see cref="Sm2Ciphertext"/>.
/// </summary>
public static class ImportWrapping
{
    /// <summary>The RSA wrapping key specs and their modulus sizes in bits.</summary>
    public static int? RsaBits(string wrappingKeySpec) => wrappingKeySpec switch
    {
        "RSA_2048" => 2048,
        "RSA_3072" => 3072,
        "RSA_4096" => 4096,
        _ => null,
    };

    /// <summary>The RSA wrapping algorithms this service unwraps (RSAES_PKCS1_V1_5 is deprecated by AWS, SM2PKE is SM2's).</summary>
    public static bool IsRsaAlgorithm(string wrappingAlgorithm) => wrappingAlgorithm is
        "RSAES_OAEP_SHA_1" or "RSAES_OAEP_SHA_256" or "RSA_AES_KEY_WRAP_SHA_1" or "RSA_AES_KEY_WRAP_SHA_256";

    public const string Sm2Spec = "SM2";
    public const string Sm2Pke = "SM2PKE";

    /// <summary>A new SM2 wrapping key pair: its SubjectPublicKeyInfo (DER) and its PKCS#8 private key.</summary>
    public static (byte[] PublicKey, SecretBytes PrivateKey) NewSm2WrappingKey()
    {
        var privateKey = KeySpecCatalog.Get(Sm2Spec).Generate();
        using var key = AsymmetricKey.Load(Sm2Spec, privateKey.Expose());
        return (key.PublicKeyDer, privateKey);
    }

    /// <summary>
    /// The wrapping key pair of an RSA private key (PKCS#8, e.g. from an <see cref="RsaKeyPool"/>): its
    /// SubjectPublicKeyInfo (DER) and the private key itself, whose ownership passes to the caller.
    /// </summary>
    public static (byte[] PublicKey, SecretBytes PrivateKey) RsaWrappingKey(SecretBytes privateKeyPkcs8)
    {
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(privateKeyPkcs8.Expose(), out _);
        return (rsa.ExportSubjectPublicKeyInfo(), privateKeyPkcs8);
    }

    /// <summary>
    /// The key material in clear, or null when <paramref name="encrypted"/> is not the material wrapped with
    /// <paramref name="wrappingAlgorithm"/> under this key (the caller answers InvalidCiphertextException).
    /// </summary>
    public static SecretBytes? Unwrap(string wrappingAlgorithm, SecretBytes privateKey, ReadOnlySpan<byte> encrypted)
    {
        if (wrappingAlgorithm == Sm2Pke) return UnwrapSm2(privateKey, encrypted);
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(privateKey.Expose(), out _);
        var padding = wrappingAlgorithm.EndsWith("SHA_1", StringComparison.Ordinal) ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;
        try
        {
            if (wrappingAlgorithm.StartsWith("RSAES_OAEP", StringComparison.Ordinal))
                return SecretBytes.TakeOwnership(rsa.Decrypt(encrypted.ToArray(), padding));
            var modulusBytes = rsa.KeySize / 8;
            if (encrypted.Length <= modulusBytes) return null;
            var aesKey = rsa.Decrypt(encrypted[..modulusBytes].ToArray(), padding);
            try
            {
                if (aesKey.Length != 32) return null;
                using var aes = Aes.Create();
                aes.Key = aesKey;
                return SecretBytes.TakeOwnership(aes.DecryptKeyWrapPadded(encrypted[modulusBytes..]));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(aesKey);
            }
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static SecretBytes? UnwrapSm2(SecretBytes privateKey, ReadOnlySpan<byte> encrypted)
    {
        using var key = AsymmetricKey.Load(Sm2Spec, privateKey.Expose());
        try
        {
            return SecretBytes.TakeOwnership(key.Decrypt(encrypted, Sm2Pke));
        }
        catch (Exception e) when (e is KmsCryptoException or CryptographicException or Org.BouncyCastle.Crypto.CryptoException or ArgumentException)
        {
            return null;
        }
    }
}
