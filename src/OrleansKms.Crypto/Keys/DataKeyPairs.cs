namespace OrleansKms.Crypto.Keys;

/// <summary>
/// GenerateDataKeyPair's key pairs, for the specs the <see cref="KeySpecCatalog"/> marks as DataKeyPairSpecs. The private key is PKCS#8
/// PrivateKeyInfo DER (RFC 5958), the public key X.509 SubjectPublicKeyInfo DER (RFC 5280), as AWS returns them.
/// </summary>
public static class DataKeyPairs
{
    /// <exception cref="ArgumentException">Not a DataKeyPairSpec.</exception>
    public static (SecretBytes PrivateKeyPkcs8, byte[] PublicKeySpki) Generate(string dataKeyPairSpec)
    {
        if (!KeySpecCatalog.TryGet(dataKeyPairSpec, out var info) || !info.IsDataKeyPairSpec)
            throw new ArgumentException($"{dataKeyPairSpec} is not a data key pair spec.", nameof(dataKeyPairSpec));
        var privateKey = AsymmetricKey.GeneratePrivateKey(dataKeyPairSpec);
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
