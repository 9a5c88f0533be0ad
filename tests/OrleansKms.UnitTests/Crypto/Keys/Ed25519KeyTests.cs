using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.UnitTests.Crypto.Keys;

public sealed class Ed25519KeyTests
{
    private const string Spec = "ECC_NIST_EDWARDS25519";

    [Fact]
    public void Pure_Ed25519_over_raw_messages_verifies_and_tampering_fails()
    {
        using var key = Load();
        var message = Bytes.Message();
        var signature = key.Sign(message, "RAW", "ED25519_SHA_512");
        Assert.Equal(64, signature.Length);
        Assert.True(key.Verify(message, "RAW", signature, "ED25519_SHA_512"));
        Assert.False(key.Verify(Bytes.Flip(message, 0), "RAW", signature, "ED25519_SHA_512"));
        Assert.False(key.Verify(message, "RAW", Bytes.Flip(signature, 10), "ED25519_SHA_512"));
        Assert.False(key.Verify(message, "RAW", Bytes.Flip(signature, 63), "ED25519_SHA_512"));
        Assert.False(key.Verify(message, "RAW", signature[..^1], "ED25519_SHA_512"));
        Assert.False(key.Verify(message, "RAW", [], "ED25519_SHA_512"));
    }

    [Fact]
    public void OpenSsl_verifies_pure_Ed25519_with_the_public_key_and_signs_with_the_private_key()
    {
        using var pkcs8 = AsymmetricKey.GeneratePrivateKey(Spec);
        using var key = AsymmetricKey.Load(Spec, pkcs8.Expose());
        using var openssl = new OpenSsl();
        var publicPem = openssl.PublicKeyPem(key.PublicKeyDer);
        var message = Bytes.Message();
        var signature = key.Sign(message, "RAW", "ED25519_SHA_512");
        Assert.True(OpenSsl.Verifies("pkeyutl", "-verify", "-pubin", "-inkey", publicPem, "-rawin", "-in", openssl.File(message), "-sigfile", openssl.File(signature)));
        Assert.False(OpenSsl.Verifies("pkeyutl", "-verify", "-pubin", "-inkey", publicPem, "-rawin", "-in", openssl.File(message), "-sigfile", openssl.File(Bytes.Flip(signature, 3))));

        // The PKCS#8 is the plain RFC 8410 form OpenSSL 3.0 reads: it signs, and the key verifies that signature.
        var bySsl = openssl.MustRunToFile("pkeyutl", "-sign", "-inkey", openssl.PrivateKeyPem(pkcs8.Expose()), "-rawin", "-in", openssl.File(message));
        Assert.Equal(signature, bySsl); // Ed25519 is deterministic
        Assert.True(key.Verify(message, "RAW", bySsl, "ED25519_SHA_512"));
    }

    [Fact]
    public void Rfc8032_test_vector_1_gives_the_published_public_key_and_signature()
    {
        // RFC 8032 7.1 TEST 1: the empty message. PKCS#8 per RFC 8410: version 0, id-Ed25519, OCTET STRING { seed }.
        var pkcs8 = Convert.FromHexString("302e020100300506032b657004220420" + "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        using var key = AsymmetricKey.Load(Spec, pkcs8);
        Assert.Equal("302a300506032b6570032100" + "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            Convert.ToHexStringLower(key.PublicKeyDer));
        Assert.Equal(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Convert.ToHexStringLower(key.Sign([], "RAW", "ED25519_SHA_512")));

        // The version 1 form (OneAsymmetricKey with the public key, as BouncyCastle writes it) loads too.
        var seed = new Ed25519PrivateKeyParameters(pkcs8, 16);
        using var v1 = AsymmetricKey.Load(Spec, PrivateKeyInfoFactory.CreatePrivateKeyInfo(seed).GetDerEncoded());
        Assert.Equal(key.PublicKeyDer, v1.PublicKeyDer);
    }

    [Fact]
    public void Ed25519ph_over_a_sha512_digest_verifies_with_a_verifier_built_from_the_public_key_alone()
    {
        using var key = Load();
        var message = Bytes.Message();
        var digest = SHA512.HashData(message);
        var signature = key.Sign(digest, "DIGEST", "ED25519_PH_SHA_512");
        Assert.True(key.Verify(digest, "DIGEST", signature, "ED25519_PH_SHA_512"));
        Assert.False(key.Verify(Bytes.Flip(digest, 5), "DIGEST", signature, "ED25519_PH_SHA_512"));
        Assert.False(key.Verify(digest, "DIGEST", Bytes.Flip(signature, 5), "ED25519_PH_SHA_512"));
        Assert.False(key.Verify(digest, "DIGEST", [.. signature, 0], "ED25519_PH_SHA_512"));

        // As AWS documents, the 64-byte DIGEST is the Ed25519ph message: the algorithm pre-hashes it once more.
        var publicKey = (Ed25519PublicKeyParameters)PublicKeyFactory.CreateKey(key.PublicKeyDer);
        var verifier = new Ed25519phSigner([]);
        verifier.Init(false, publicKey);
        verifier.BlockUpdate(digest);
        Assert.True(verifier.VerifySignature(signature));

        // A pure signature over the same bytes is not an Ed25519ph one (the dom2 prefix separates them).
        Assert.False(key.Verify(digest, "DIGEST", key.Sign(digest, "RAW", "ED25519_SHA_512"), "ED25519_PH_SHA_512"));
    }

    [Fact]
    public void Each_algorithm_takes_only_its_message_type()
    {
        using var key = Load();
        var e = Assert.Throws<KmsCryptoException>(() => key.Sign(new byte[64], "DIGEST", "ED25519_SHA_512"));
        Assert.Equal(KmsCryptoError.InvalidMessage, e.Error);
        Assert.Equal(KmsCryptoError.InvalidMessage, Assert.Throws<KmsCryptoException>(() => key.Sign(new byte[64], "RAW", "ED25519_PH_SHA_512")).Error);
        Assert.Equal(KmsCryptoError.InvalidMessage, Assert.Throws<KmsCryptoException>(() => key.Verify(new byte[64], "RAW", new byte[64], "ED25519_PH_SHA_512")).Error);
        Assert.Equal(KmsCryptoError.InvalidMessage, Assert.Throws<KmsCryptoException>(() => key.Sign(new byte[64], "EXTERNAL_MU", "ED25519_SHA_512")).Error);

        e = Assert.Throws<KmsCryptoException>(() => key.Sign(new byte[32], "DIGEST", "ED25519_PH_SHA_512"));
        Assert.Equal((KmsCryptoError.InvalidDigestLength, "Digest is invalid length for algorithm ED25519_PH_SHA_512."), (e.Error, e.Message));
        e = Assert.Throws<KmsCryptoException>(() => key.Sign([1], "RAW", "ECDSA_SHA_512"));
        Assert.Equal((KmsCryptoError.UnsupportedAlgorithm, "Algorithm ECDSA_SHA_512 is incompatible with key spec ECC_NIST_EDWARDS25519."), (e.Error, e.Message));
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => key.DeriveSharedSecret(key.PublicKeyDer)).Error);
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => key.Encrypt([1], "RSAES_OAEP_SHA_256")).Error);
    }

    [Fact]
    public void Other_key_types_do_not_load_as_Ed25519()
    {
        using var p256 = AsymmetricKey.GeneratePrivateKey("ECC_NIST_P256");
        using var ed = AsymmetricKey.GeneratePrivateKey(Spec);
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load(Spec, p256.Expose()));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load("ECC_NIST_P256", ed.Expose()));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load(Spec, ed.Expose()[..^1]));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load(Spec, [.. ed.Expose(), 0]));
    }

    private static AsymmetricKey Load()
    {
        using var pkcs8 = AsymmetricKey.GeneratePrivateKey(Spec);
        return AsymmetricKey.Load(Spec, pkcs8.Expose());
    }
}
