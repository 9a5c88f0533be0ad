using System.Security.Cryptography;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.UnitTests.Crypto.Keys;

/// <summary>
/// Walks every asymmetric spec and every algorithm the catalog gives it: each works through AsymmetricKey, each
/// malformed signature is just invalid, and what the spec does not allow is refused.
/// </summary>
public sealed class AsymmetricKeyContractTests
{
    private static readonly string[] AsymmetricSpecs =
    [
        "RSA_2048", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519",
        "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "SM2",
    ];

    public static TheoryData<string> Specs() => [.. AsymmetricSpecs];

    [Fact]
    public void Every_catalog_spec_but_symmetric_and_hmac_is_an_asymmetric_key()
    {
        var expected = KeySpecCatalog.All.Select(s => s.KeySpec)
            .Where(s => s != "SYMMETRIC_DEFAULT" && !s.StartsWith("HMAC_", StringComparison.Ordinal)).Order();
        Assert.Equal(expected, AsymmetricSpecs.Concat(["RSA_3072", "RSA_4096"]).Order());
        foreach (var spec in new[] { "SYMMETRIC_DEFAULT", "HMAC_256", "RSA_1024", "" })
        {
            Assert.Throws<ArgumentException>(() => AsymmetricKey.GeneratePrivateKey(spec));
            Assert.Throws<ArgumentException>(() => AsymmetricKey.Load(spec, [0x30, 0x00]));
        }
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Every_algorithm_of_the_catalog_works_and_malformed_signatures_are_invalid(string spec)
    {
        using var pkcs8 = AsymmetricKey.GeneratePrivateKey(spec);
        using var key = AsymmetricKey.Load(spec, pkcs8.Expose());
        Assert.Equal(spec, key.KeySpec);
        Assert.True(KeySpecCatalog.TryGet(spec, out var info));
        var message = Bytes.Message(64);
        foreach (var algorithm in info.SigningAlgorithms("SIGN_VERIFY"))
        {
            var type = algorithm == "ED25519_PH_SHA_512" ? "DIGEST" : "RAW";
            var signature = key.Sign(message, type, algorithm);
            Assert.True(key.Verify(message, type, signature, algorithm));
            foreach (var malformed in new[] { [], [0x30], new byte[signature.Length], RandomNumberGenerator.GetBytes(signature.Length), [.. signature, .. signature] })
            {
                Assert.False(key.Verify(message, type, malformed, algorithm));
            }
        }

        foreach (var algorithm in info.EncryptionAlgorithms("ENCRYPT_DECRYPT"))
        {
            Assert.Equal(message, key.Decrypt(key.Encrypt(message, algorithm), algorithm));
        }

        if (info.KeyAgreementAlgorithms("KEY_AGREEMENT").Count > 0)
        {
            using var peerPkcs8 = AsymmetricKey.GeneratePrivateKey(spec);
            using var peer = AsymmetricKey.Load(spec, peerPkcs8.Expose());
            Assert.Equal(peer.DeriveSharedSecret(key.PublicKeyDer), key.DeriveSharedSecret(peer.PublicKeyDer));
        }
        else if (spec != "ECC_SECG_P256K1") // secp256k1 keys can agree keys, though AWS only lets them sign
        {
            Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => key.DeriveSharedSecret(key.PublicKeyDer)).Error);
        }
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Malformed_private_keys_and_message_types_are_refused(string spec)
    {
        using var pkcs8 = AsymmetricKey.GeneratePrivateKey(spec);
        var bytes = pkcs8.Expose().ToArray();
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load(spec, []));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load(spec, bytes[..^1]));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load(spec, [.. bytes, 0]));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load(spec, RandomNumberGenerator.GetBytes(bytes.Length)));

        using var key = AsymmetricKey.Load(spec, bytes);
        Assert.True(KeySpecCatalog.TryGet(spec, out var info));
        var algorithm = info.SigningAlgorithms("SIGN_VERIFY")[0];
        Assert.Equal(KmsCryptoError.InvalidMessage, Assert.Throws<KmsCryptoException>(() => key.Sign([1], "HASHED", algorithm)).Error);
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => key.Sign([1], "RAW", "NOT_AN_ALGORITHM")).Error);
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => key.Encrypt([1], "SYMMETRIC_DEFAULT")).Error);

        var publicKey = key.PublicKeyDer;
        publicKey[^1] ^= 1;
        Assert.NotEqual(publicKey, key.PublicKeyDer); // a copy each time
    }
}
