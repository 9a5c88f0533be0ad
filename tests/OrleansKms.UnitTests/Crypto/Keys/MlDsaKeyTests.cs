using System.Formats.Asn1;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.UnitTests.Crypto.Keys;

/// <summary>
/// ML-DSA is not in OpenSSL 3.0: signatures are checked with BouncyCastle's verifier built from the
/// SubjectPublicKeyInfo bytes alone, and mu is computed here with .NET's SHAKE256 from those bytes.
/// </summary>
public sealed class MlDsaKeyTests
{
    private const string Algorithm = "ML_DSA_SHAKE_256";

    public static TheoryData<string, string, int, int> Specs() => new()
    {
        // key spec, SPKI algorithm OID (FIPS 204 / RFC 9881), public key size, signature size
        { "ML_DSA_44", "2.16.840.1.101.3.4.3.17", 1312, 2420 },
        { "ML_DSA_65", "2.16.840.1.101.3.4.3.18", 1952, 3309 },
        { "ML_DSA_87", "2.16.840.1.101.3.4.3.19", 2592, 4627 },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Raw_signatures_verify_inside_and_with_the_public_key_alone(string spec, string oid, int publicSize, int signatureSize)
    {
        using var key = Load(spec);
        var (algorithmOid, publicKey) = ReadSpki(key.PublicKeyDer);
        Assert.Equal((oid, publicSize), (algorithmOid, publicKey.Length));

        var message = Bytes.Message();
        var signature = key.Sign(message, "RAW", Algorithm);
        Assert.Equal(signatureSize, signature.Length);
        Assert.True(key.Verify(message, "RAW", signature, Algorithm));
        Assert.False(key.Verify(Bytes.Flip(message, 2), "RAW", signature, Algorithm));
        Assert.False(key.Verify(message, "RAW", Bytes.Flip(signature, 0), Algorithm));
        Assert.False(key.Verify(message, "RAW", Bytes.Flip(signature, signature.Length - 1), Algorithm));
        Assert.False(key.Verify(message, "RAW", signature[..^1], Algorithm));
        Assert.False(key.Verify(message, "RAW", [], Algorithm));

        Assert.True(OutsideVerify(key.PublicKeyDer, message, signature));
        Assert.False(OutsideVerify(key.PublicKeyDer, Bytes.Flip(message, 0), signature));
        Assert.False(OutsideVerify(key.PublicKeyDer, message, Bytes.Flip(signature, 100)));
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void External_mu_signatures_are_raw_signatures_of_the_message(string spec, string oid, int publicSize, int signatureSize)
    {
        using var key = Load(spec);
        var message = Bytes.Message(5000); // larger than Sign's 4096-byte limit: the reason for EXTERNAL_MU
        var mu = Mu(key.PublicKeyDer, message);

        var fromMu = key.Sign(mu, "EXTERNAL_MU", Algorithm);
        Assert.Equal(signatureSize, fromMu.Length);
        Assert.True(OutsideVerify(key.PublicKeyDer, message, fromMu));
        Assert.True(key.Verify(mu, "EXTERNAL_MU", fromMu, Algorithm));
        Assert.True(key.Verify(message, "RAW", fromMu, Algorithm));
        Assert.False(key.Verify(Bytes.Flip(mu, 63), "EXTERNAL_MU", fromMu, Algorithm));
        Assert.False(key.Verify(mu, "EXTERNAL_MU", Bytes.Flip(fromMu, 7), Algorithm));

        var raw = key.Sign(message, "RAW", Algorithm);
        Assert.True(key.Verify(mu, "EXTERNAL_MU", raw, Algorithm));
        _ = (oid, publicSize);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Digest_is_refused_and_mu_must_be_64_bytes(string spec, string oid, int publicSize, int signatureSize)
    {
        using var key = Load(spec);
        var e = Assert.Throws<KmsCryptoException>(() => key.Sign(new byte[64], "DIGEST", Algorithm));
        Assert.Equal(KmsCryptoError.InvalidMessage, e.Error);
        Assert.Equal(KmsCryptoError.InvalidMessage, Assert.Throws<KmsCryptoException>(() => key.Verify(new byte[64], "DIGEST", new byte[10], Algorithm)).Error);
        foreach (var length in new[] { 0, 32, 63, 65 })
        {
            e = Assert.Throws<KmsCryptoException>(() => key.Sign(new byte[length], "EXTERNAL_MU", Algorithm));
            Assert.Equal((KmsCryptoError.InvalidDigestLength, "Digest is invalid length for algorithm ML_DSA_SHAKE_256."), (e.Error, e.Message));
        }

        e = Assert.Throws<KmsCryptoException>(() => key.Sign([1], "RAW", "ECDSA_SHA_256"));
        Assert.Equal((KmsCryptoError.UnsupportedAlgorithm, $"Algorithm ECDSA_SHA_256 is incompatible with key spec {spec}."), (e.Error, e.Message));
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => key.DeriveSharedSecret(key.PublicKeyDer)).Error);
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => key.Encrypt([1], "RSAES_OAEP_SHA_256")).Error);
        _ = (oid, publicSize, signatureSize);
    }

    [Fact]
    public void Seed_only_private_keys_load_and_parameter_sets_do_not_mix()
    {
        using var pkcs8 = AsymmetricKey.GeneratePrivateKey("ML_DSA_65");
        var full = (MLDsaPrivateKeyParameters)PrivateKeyFactory.CreateKey(pkcs8.Expose().ToArray());
        var seedOnly = PrivateKeyInfoFactory.CreatePrivateKeyInfo(full.WithPreferredFormat(MLDsaPrivateKeyParameters.Format.SeedOnly)).GetDerEncoded();
        Assert.True(seedOnly.Length < 100);
        using var original = AsymmetricKey.Load("ML_DSA_65", pkcs8.Expose());
        using var fromSeed = AsymmetricKey.Load("ML_DSA_65", seedOnly);
        Assert.Equal(original.PublicKeyDer, fromSeed.PublicKeyDer);
        Assert.True(original.Verify([7], "RAW", fromSeed.Sign([7], "RAW", Algorithm), Algorithm));

        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load("ML_DSA_44", pkcs8.Expose()));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load("ML_DSA_87", seedOnly));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load("ECC_NIST_P256", pkcs8.Expose()));
    }

    private static AsymmetricKey Load(string spec)
    {
        using var pkcs8 = AsymmetricKey.GeneratePrivateKey(spec);
        return AsymmetricKey.Load(spec, pkcs8.Expose());
    }

    private static bool OutsideVerify(byte[] spki, byte[] message, byte[] signature)
    {
        var publicKey = (MLDsaPublicKeyParameters)PublicKeyFactory.CreateKey(spki);
        var verifier = new MLDsaSigner(publicKey.Parameters, deterministic: false);
        verifier.Init(false, publicKey);
        verifier.BlockUpdate(message);
        return verifier.VerifySignature(signature);
    }

    /// <summary>FIPS 204 6.2: mu = SHAKE256(tr || 0x00 || 0x00 || M, 64) with tr = SHAKE256(pk, 64) and no context.</summary>
    private static byte[] Mu(byte[] spki, byte[] message)
    {
        var tr = Shake256.HashData(ReadSpki(spki).PublicKey, 64);
        return Shake256.HashData([.. tr, 0x00, 0x00, .. message], 64);
    }

    private static (string AlgorithmOid, byte[] PublicKey) ReadSpki(byte[] spki)
    {
        var reader = new AsnReader(spki, AsnEncodingRules.DER).ReadSequence();
        var algorithm = reader.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        Assert.False(algorithm.HasData); // ML-DSA algorithm identifiers have absent parameters
        return (oid, reader.ReadBitString(out _));
    }
}
