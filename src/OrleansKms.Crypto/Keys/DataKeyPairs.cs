namespace OrleansKms.Crypto.Keys;

/// <summary>
/// GenerateDataKeyPair's key pairs, for the specs the <see cref="KeySpecCatalog"/> marks as DataKeyPairSpecs. The private key is PKCS#8
/// PrivateKeyInfo DER (RFC 5958), the public key X.509 SubjectPublicKeyInfo DER (RFC 5280), as AWS returns them.
/// RSA pairs come from an <see cref="RsaKeyPool"/> when one is given (each pooled key is handed to one pair only; an
/// empty pool generates inline), since a 4096-bit key takes seconds to generate; other specs take milliseconds.
/// </summary>
public static class DataKeyPairs
{
    /// <exception cref="ArgumentException">Not a DataKeyPairSpec.</exception>
    public static (SecretBytes PrivateKeyPkcs8, byte[] PublicKeySpki) Generate(string dataKeyPairSpec) => Generate(dataKeyPairSpec, null);

    /// <summary>A new pair; an RSA private key is taken from <paramref name="rsaKeys"/> (when not null). The caller disposes the private key, which zeroes it.</summary>
    /// <exception cref="ArgumentException">Not a DataKeyPairSpec.</exception>
    public static (SecretBytes PrivateKeyPkcs8, byte[] PublicKeySpki) Generate(string dataKeyPairSpec, RsaKeyPool? rsaKeys)
    {
        if (!KeySpecCatalog.TryGet(dataKeyPairSpec, out var info) || !info.IsDataKeyPairSpec)
            throw new ArgumentException($"{dataKeyPairSpec} is not a data key pair spec.", nameof(dataKeyPairSpec));
        var privateKey = rsaKeys is not null && RsaKeyPool.BitsOf(dataKeyPairSpec) is { } bits
            ? rsaKeys.Take(bits)
            : AsymmetricKey.GeneratePrivateKey(dataKeyPairSpec);
        try
        {
            using var key = AsymmetricKey.Load(dataKeyPairSpec, privateKey.Expose());
            return (privateKey, key.PublicKeyDer);
        }
        catch
        {
            privateKey.Dispose();
            throw;
        }
    }
}
