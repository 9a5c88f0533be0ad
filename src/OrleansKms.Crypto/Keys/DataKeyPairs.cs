using System.Collections.Frozen;

namespace OrleansKms.Crypto.Keys;

/// <summary>
/// GenerateDataKeyPair's key pairs, for the DataKeyPairSpec values of the model: RSA_2048/3072/4096,
/// ECC_NIST_P256/P384/P521, ECC_SECG_P256K1, SM2 and ECC_NIST_EDWARDS25519. The private key is PKCS#8
/// PrivateKeyInfo DER (RFC 5958), the public key X.509 SubjectPublicKeyInfo DER (RFC 5280), as AWS returns them.
/// </summary>
public static class DataKeyPairs
{
    private static readonly FrozenSet<string> Specs = FrozenSet.ToFrozenSet(
    [
        "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
        "ECC_SECG_P256K1", "SM2", "ECC_NIST_EDWARDS25519",
    ]);

    /// <exception cref="ArgumentException">Not a DataKeyPairSpec.</exception>
    public static (SecretBytes PrivateKeyPkcs8, byte[] PublicKeySpki) Generate(string dataKeyPairSpec)
    {
        if (!Specs.Contains(dataKeyPairSpec))
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
