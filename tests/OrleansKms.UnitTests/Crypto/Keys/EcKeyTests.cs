using System.Security.Cryptography;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.UnitTests.Crypto.Keys;

public sealed class EcKeyTests
{
    public static TheoryData<string, string, string, string> Curves() => new()
    {
        // key spec, signing algorithm, openssl digest, curve friendly name
        { "ECC_NIST_P256", "ECDSA_SHA_256", "sha256", "nistP256" },
        { "ECC_NIST_P384", "ECDSA_SHA_384", "sha384", "nistP384" },
        { "ECC_NIST_P521", "ECDSA_SHA_512", "sha512", "nistP521" },
        { "ECC_SECG_P256K1", "ECDSA_SHA_256", "sha256", "secP256k1" },
    };

    [Theory]
    [MemberData(nameof(Curves))]
    public void Raw_and_digest_signatures_verify_and_tampering_fails(string spec, string algorithm, string hash, string curve)
    {
        using var key = Load(spec);
        var message = Bytes.Message();
        var digest = Hash(hash, message);
        foreach (var signature in new[] { key.Sign(message, "RAW", algorithm), key.Sign(digest, "DIGEST", algorithm) })
        {
            Assert.Equal(0x30, signature[0]); // DER SEQUENCE { r, s }
            Assert.True(key.Verify(message, "RAW", signature, algorithm));
            Assert.True(key.Verify(digest, "DIGEST", signature, algorithm));
            Assert.False(key.Verify(Bytes.Flip(message, 1), "RAW", signature, algorithm));
            Assert.False(key.Verify(message, "RAW", Bytes.Flip(signature, signature.Length - 1), algorithm));
            Assert.False(key.Verify(message, "RAW", Bytes.Flip(signature, 0), algorithm));
            Assert.False(key.Verify(message, "RAW", signature[..^1], algorithm));
            Assert.False(key.Verify(message, "RAW", [], algorithm));
        }

        // The same public key in .NET, imported from the SubjectPublicKeyInfo alone.
        using var outside = ECDsa.Create();
        outside.ImportSubjectPublicKeyInfo(key.PublicKeyDer, out _);
        Assert.Equal(ECCurve.CreateFromFriendlyName(curve).Oid.Value, outside.ExportParameters(false).Curve.Oid.Value);
        Assert.True(outside.VerifyData(message, key.Sign(message, "RAW", algorithm), new HashAlgorithmName(hash.ToUpperInvariant()),
            DSASignatureFormat.Rfc3279DerSequence));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void OpenSsl_verifies_signatures_with_the_public_key_alone(string spec, string algorithm, string hash, string curve)
    {
        using var key = Load(spec);
        using var openssl = new OpenSsl();
        var publicPem = openssl.PublicKeyPem(key.PublicKeyDer);
        var message = Bytes.Message();
        var raw = key.Sign(message, "RAW", algorithm);
        Assert.True(OpenSsl.Verifies("dgst", $"-{hash}", "-verify", publicPem, "-signature", openssl.File(raw), openssl.File(message)));
        Assert.False(OpenSsl.Verifies("dgst", $"-{hash}", "-verify", publicPem, "-signature", openssl.File(raw), openssl.File(Bytes.Flip(message, 0))));

        var digest = Hash(hash, message);
        var fromDigest = key.Sign(digest, "DIGEST", algorithm);
        Assert.True(OpenSsl.Verifies("pkeyutl", "-verify", "-pubin", "-inkey", publicPem, "-in", openssl.File(digest), "-sigfile", openssl.File(fromDigest)));
        Assert.True(OpenSsl.Verifies("dgst", $"-{hash}", "-verify", publicPem, "-signature", openssl.File(fromDigest), openssl.File(message)));
        Assert.Contains(curve == "secP256k1" ? "secp256k1" : "NIST CURVE", OpenSsl.MustRun("pkey", "-pubin", "-in", publicPem, "-noout", "-text"));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Ecdh_agrees_with_the_peer_and_with_openssl(string spec, string algorithm, string hash, string curve)
    {
        using var key = Load(spec);
        using var peer = ECDiffieHellman.Create(ECCurve.CreateFromFriendlyName(curve));
        var secret = key.DeriveSharedSecret(peer.ExportSubjectPublicKeyInfo());
        Assert.Equal((peer.KeySize + 7) / 8, secret.Length);

        using var ours = ECDiffieHellman.Create();
        ours.ImportSubjectPublicKeyInfo(key.PublicKeyDer, out _);
        using var ourPublic = ours.PublicKey;
        Assert.Equal(peer.DeriveRawSecretAgreement(ourPublic), secret);

        using var openssl = new OpenSsl();
        var derived = openssl.MustRunToFile("pkeyutl", "-derive", "-inkey", openssl.PrivateKeyPem(peer.ExportPkcs8PrivateKey()),
            "-peerkey", openssl.PublicKeyPem(key.PublicKeyDer));
        Assert.Equal(derived, secret);
        _ = (algorithm, hash);
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Ecdh_refuses_keys_of_other_curves_and_malformed_keys(string spec, string algorithm, string hash, string curve)
    {
        using var key = Load(spec);
        var otherCurve = curve == "nistP256" ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256;
        using var other = ECDiffieHellman.Create(otherCurve);
        using var rsa = RSA.Create(2048);
        var valid = key.PublicKeyDer;
        byte[][] bad =
        [
            other.ExportSubjectPublicKeyInfo(), rsa.ExportSubjectPublicKeyInfo(), [], [0x30, 0x00], valid[..^1],
            [.. valid, 0x00], OffCurve(valid),
        ];
        foreach (var peer in bad)
        {
            Assert.Equal(KmsCryptoError.InvalidPublicKey, Assert.Throws<KmsCryptoException>(() => key.DeriveSharedSecret(peer)).Error);
        }

        _ = (algorithm, hash);
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Digests_of_the_wrong_length_and_other_algorithms_are_refused(string spec, string algorithm, string hash, string curve)
    {
        using var key = Load(spec);
        int length = Hash(hash, []).Length;
        var e = Assert.Throws<KmsCryptoException>(() => key.Sign(new byte[length - 1], "DIGEST", algorithm));
        Assert.Equal((KmsCryptoError.InvalidDigestLength, $"Digest is invalid length for algorithm {algorithm}."), (e.Error, e.Message));
        Assert.Equal(KmsCryptoError.InvalidDigestLength, Assert.Throws<KmsCryptoException>(() => key.Sign(new byte[length + 1], "DIGEST", algorithm)).Error);
        Assert.Equal(KmsCryptoError.InvalidDigestLength,
            Assert.Throws<KmsCryptoException>(() => key.Verify(new byte[length + 1], "DIGEST", new byte[8], algorithm)).Error);

        var wrong = algorithm == "ECDSA_SHA_256" ? "ECDSA_SHA_384" : "ECDSA_SHA_256";
        e = Assert.Throws<KmsCryptoException>(() => key.Sign([1], "RAW", wrong));
        Assert.Equal((KmsCryptoError.UnsupportedAlgorithm, $"Algorithm {wrong} is incompatible with key spec {spec}."), (e.Error, e.Message));
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => key.Encrypt([1], "RSAES_OAEP_SHA_256")).Error);
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => key.Decrypt([1], "RSAES_OAEP_SHA_256")).Error);
        Assert.Equal(KmsCryptoError.InvalidMessage, Assert.Throws<KmsCryptoException>(() => key.Sign(new byte[64], "EXTERNAL_MU", algorithm)).Error);
        _ = curve;
    }

    [Fact]
    public void A_key_of_another_curve_does_not_load_as_this_spec()
    {
        using var p256 = AsymmetricKey.GeneratePrivateKey("ECC_NIST_P256");
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load("ECC_NIST_P384", p256.Expose()));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load("ECC_SECG_P256K1", p256.Expose()));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load("SM2", p256.Expose()));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load("RSA_2048", p256.Expose()));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load("ECC_NIST_P256", [.. p256.Expose(), 0]));
    }

    private static AsymmetricKey Load(string spec)
    {
        using var pkcs8 = AsymmetricKey.GeneratePrivateKey(spec);
        return AsymmetricKey.Load(spec, pkcs8.Expose());
    }

    /// <summary>The same SubjectPublicKeyInfo with the point's last y byte changed: no longer on the curve.</summary>
    private static byte[] OffCurve(byte[] spki) => Bytes.Flip(spki, spki.Length - 1);

    private static byte[] Hash(string name, byte[] data) => name switch
    {
        "sha256" => SHA256.HashData(data),
        "sha384" => SHA384.HashData(data),
        _ => SHA512.HashData(data),
    };
}
