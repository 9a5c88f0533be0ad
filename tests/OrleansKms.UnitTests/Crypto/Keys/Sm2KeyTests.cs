using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using OrleansKms.Crypto;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.UnitTests.Crypto.Keys;

/// <summary>SM2 against OpenSSL 3.0 (SM2DSA with distid 1234567812345678, SM2PKE) and .NET's ECDH on the SM2 curve.</summary>
public sealed class Sm2KeyTests : IDisposable
{
    private const string Spec = "SM2";
    private const string DistId = "distid:1234567812345678";

    // GM/T 0003.5 curve constants (the same as `openssl ecparam -name SM2 -param_enc explicit -text`).
    private const string CurveABGxGy =
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC" +
        "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93" +
        "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7" +
        "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0";

    private readonly SecretBytes _pkcs8 = AsymmetricKey.GeneratePrivateKey(Spec);
    private readonly AsymmetricKey _key;
    private readonly OpenSsl _openssl = new();

    public Sm2KeyTests() => _key = AsymmetricKey.Load(Spec, _pkcs8.Expose());

    [Fact]
    public void Raw_signatures_verify_with_openssl_and_openssl_signatures_verify_inside()
    {
        var message = Bytes.Message();
        var signature = _key.Sign(message, "RAW", "SM2DSA");
        Assert.True(_key.Verify(message, "RAW", signature, "SM2DSA"));
        Assert.False(_key.Verify(Bytes.Flip(message, 0), "RAW", signature, "SM2DSA"));
        Assert.False(_key.Verify(message, "RAW", Bytes.Flip(signature, signature.Length - 1), "SM2DSA"));
        Assert.False(_key.Verify(message, "RAW", signature[..^2], "SM2DSA"));
        Assert.False(_key.Verify(message, "RAW", [], "SM2DSA"));

        var publicPem = _openssl.PublicKeyPem(_key.PublicKeyDer);
        Assert.True(OpenSslVerifies(publicPem, message, signature));
        Assert.False(OpenSslVerifies(publicPem, Bytes.Flip(message, 9), signature));

        var bySsl = _openssl.MustRunToFile("dgst", "-sm3", "-sign", _openssl.PrivateKeyPem(_pkcs8.Expose()), "-sigopt", DistId, _openssl.File(message));
        Assert.True(_key.Verify(message, "RAW", bySsl, "SM2DSA"));
    }

    [Fact]
    public void A_digest_is_e_of_the_message_and_its_signature_verifies_over_the_message()
    {
        var message = Bytes.Message();
        var e = OpenSslE(message);
        var signature = _key.Sign(e, "DIGEST", "SM2DSA");
        Assert.True(OpenSslVerifies(_openssl.PublicKeyPem(_key.PublicKeyDer), message, signature));
        Assert.True(_key.Verify(message, "RAW", signature, "SM2DSA"));
        Assert.True(_key.Verify(e, "DIGEST", _key.Sign(message, "RAW", "SM2DSA"), "SM2DSA"));
        Assert.False(_key.Verify(Bytes.Flip(e, 31), "DIGEST", signature, "SM2DSA"));

        var error = Assert.Throws<KmsCryptoException>(() => _key.Sign(new byte[31], "DIGEST", "SM2DSA"));
        Assert.Equal((KmsCryptoError.InvalidDigestLength, "Digest is invalid length for algorithm SM2DSA."), (error.Error, error.Message));
        Assert.Equal(KmsCryptoError.InvalidMessage, Assert.Throws<KmsCryptoException>(() => _key.Sign(new byte[64], "EXTERNAL_MU", "SM2DSA")).Error);
    }

    [Fact]
    public void Sm2pke_ciphertext_crosses_with_openssl_both_ways()
    {
        var plaintext = Bytes.Message(1024);
        var bySsl = _openssl.MustRunToFile("pkeyutl", "-encrypt", "-pubin", "-inkey", _openssl.PublicKeyPem(_key.PublicKeyDer), "-in", _openssl.File(plaintext));
        Assert.Equal(plaintext, _key.Decrypt(bySsl, "SM2PKE"));

        var inside = _key.Encrypt(plaintext, "SM2PKE");
        Assert.NotEqual(inside, _key.Encrypt(plaintext, "SM2PKE")); // random k per encryption
        var asn1 = OpenSsl.MustRun("asn1parse", "-inform", "DER", "-in", _openssl.File(inside));
        Assert.Equal(4, asn1.Split('\n').Count(line => line.Contains("d=1", StringComparison.Ordinal)));
        var decrypted = _openssl.MustRunToFile("pkeyutl", "-decrypt", "-inkey", _openssl.PrivateKeyPem(_pkcs8.Expose()), "-in", _openssl.File(inside));
        Assert.Equal(plaintext, decrypted);
    }

    [Fact]
    public void Sm2pke_refuses_too_much_plaintext_and_every_tampered_ciphertext()
    {
        var error = Assert.Throws<KmsCryptoException>(() => _key.Encrypt(new byte[1025], "SM2PKE"));
        Assert.Equal((KmsCryptoError.PlaintextTooLarge, "Algorithm SM2PKE and key spec SM2 cannot encrypt data larger than 1024 bytes."), (error.Error, error.Message));

        var ciphertext = _key.Encrypt(Encoding.UTF8.GetBytes("attack at dawn"), "SM2PKE");
        for (int i = 0; i < ciphertext.Length; i++)
        {
            AssertInvalid(Bytes.Flip(ciphertext, i));
            AssertInvalid(ciphertext[..i]);
        }

        AssertInvalid([.. ciphertext, 0]);
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => _key.Decrypt(ciphertext, "RSAES_OAEP_SHA_256")).Error);

        void AssertInvalid(byte[] bad) =>
            Assert.Equal(KmsCryptoError.InvalidCiphertext, Assert.Throws<KmsCryptoException>(() => _key.Decrypt(bad, "SM2PKE")).Error);
    }

    [Fact]
    public void Ecdh_agrees_with_a_peer_in_nodejs_and_refuses_other_keys()
    {
        // OpenSSL 3.0's EVP layer (openssl pkeyutl, .NET) has no ECDH for SM2-curve keys; Node's ECDH class uses
        // OpenSSL's low-level ECDH_compute_key, which has. The peer's key pair lives in Node only.
        const string Script = """
            const ecdh = require('crypto').createECDH('SM2');
            ecdh.generateKeys();
            console.log(ecdh.getPublicKey('hex', 'uncompressed'));
            console.log(ecdh.computeSecret(Buffer.from(process.argv[1], 'hex')).toString('hex'));
            """;
        var ourPoint = _key.PublicKeyDer[^65..];
        var lines = OpenSsl.Node(Script, Convert.ToHexString(ourPoint)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        byte[] peerSpki = [.. _key.PublicKeyDer[..^65], .. Convert.FromHexString(lines[0])];
        var secret = _key.DeriveSharedSecret(peerSpki);
        Assert.Equal(32, secret.Length);
        Assert.Equal(lines[1], Convert.ToHexStringLower(secret));

        using var p256 = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var valid = _key.PublicKeyDer;
        foreach (var bad in new[] { p256.ExportSubjectPublicKeyInfo(), [], valid[..^1], [.. valid, 0], Bytes.Flip(valid, valid.Length - 1) })
        {
            Assert.Equal(KmsCryptoError.InvalidPublicKey, Assert.Throws<KmsCryptoException>(() => _key.DeriveSharedSecret(bad)).Error);
        }
    }

    [Fact]
    public void Other_algorithms_and_other_keys_are_refused()
    {
        var error = Assert.Throws<KmsCryptoException>(() => _key.Sign([1], "RAW", "ECDSA_SHA_256"));
        Assert.Equal((KmsCryptoError.UnsupportedAlgorithm, "Algorithm ECDSA_SHA_256 is incompatible with key spec SM2."), (error.Error, error.Message));
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => _key.Encrypt([1], "RSAES_OAEP_SHA_1")).Error);
        using var p256 = AsymmetricKey.GeneratePrivateKey("ECC_NIST_P256");
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load(Spec, p256.Expose()));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load("ECC_NIST_P256", _pkcs8.Expose()));
        Assert.Contains("SM2", OpenSsl.MustRun("pkey", "-pubin", "-in", _openssl.PublicKeyPem(_key.PublicKeyDer), "-noout", "-text"));

        // d = n - 1 is an EC key but no SM2 key: SM2DSA needs (1 + d)^-1 mod n.
        var n = GMNamedCurves.GetByOid(GMObjectIdentifiers.sm2p256v1).N;
        var edge = new ECPrivateKeyParameters("EC", n.Subtract(Org.BouncyCastle.Math.BigInteger.One), GMObjectIdentifiers.sm2p256v1);
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load(Spec, PrivateKeyInfoFactory.CreatePrivateKeyInfo(edge).GetDerEncoded()));
    }

    public void Dispose()
    {
        _key.Dispose();
        _pkcs8.Dispose();
        _openssl.Dispose();
    }

    private bool OpenSslVerifies(string publicPem, byte[] message, byte[] signature) =>
        OpenSsl.Verifies("dgst", "-sm3", "-verify", publicPem, "-sigopt", DistId, "-signature", _openssl.File(signature), _openssl.File(message));

    /// <summary>e = SM3(Z_A || M), Z_A = SM3(ENTL_A || ID_A || a || b || xG || yG || xA || yA), hashed by openssl.</summary>
    private byte[] OpenSslE(byte[] message)
    {
        var id = Encoding.ASCII.GetBytes("1234567812345678");
        var point = _key.PublicKeyDer[^64..]; // the uncompressed point 04 || xA || yA ends the SubjectPublicKeyInfo
        byte[] zInput = [0x00, (byte)(id.Length * 8), .. id, .. Convert.FromHexString(CurveABGxGy), .. point];
        var z = _openssl.MustRunToFile("dgst", "-sm3", "-binary", _openssl.File(zInput));
        return _openssl.MustRunToFile("dgst", "-sm3", "-binary", _openssl.File([.. z, .. message]));
    }
}
