using System.Security.Cryptography;
using OrleansKms.Crypto;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.UnitTests.Crypto.Keys;

/// <summary>One key per RSA size for the whole class: 4096-bit generation is slow.</summary>
public sealed class RsaKeysFixture : IDisposable
{
    public Dictionary<string, SecretBytes> Pkcs8 { get; } = new()
    {
        ["RSA_2048"] = AsymmetricKey.GeneratePrivateKey("RSA_2048"),
        ["RSA_3072"] = AsymmetricKey.GeneratePrivateKey("RSA_3072"),
        ["RSA_4096"] = AsymmetricKey.GeneratePrivateKey("RSA_4096"),
    };

    public AsymmetricKey Load(string spec) => AsymmetricKey.Load(spec, Pkcs8[spec].Expose());

    public void Dispose()
    {
        foreach (var key in Pkcs8.Values) key.Dispose();
    }
}

public sealed class RsaKeyTests(RsaKeysFixture keys) : IClassFixture<RsaKeysFixture>
{
    public static readonly string[] Specs = ["RSA_2048", "RSA_3072", "RSA_4096"];

    private static IEnumerable<(string Spec, string Algorithm, string Hash, int HashLength)> Signing() =>
        from spec in Specs
        from bits in new[] { 256, 384, 512 }
        from scheme in new[] { "RSASSA_PSS_SHA_", "RSASSA_PKCS1_V1_5_SHA_" }
        select (spec, scheme + bits, $"sha{bits}", bits / 8);

    public static TheoryData<string, string, string, int> SigningCases()
    {
        var data = new TheoryData<string, string, string, int>();
        foreach (var (spec, algorithm, hash, length) in Signing()) data.Add(spec, algorithm, hash, length);
        return data;
    }

    public static TheoryData<string, string, int> DigestCases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var (spec, algorithm, _, length) in Signing()) data.Add(spec, algorithm, length);
        return data;
    }

    public static TheoryData<string, string, int> EncryptionCases() => new()
    {
        { "RSA_2048", "RSAES_OAEP_SHA_1", 214 }, { "RSA_2048", "RSAES_OAEP_SHA_256", 190 },
        { "RSA_3072", "RSAES_OAEP_SHA_1", 342 }, { "RSA_3072", "RSAES_OAEP_SHA_256", 318 },
        { "RSA_4096", "RSAES_OAEP_SHA_1", 470 }, { "RSA_4096", "RSAES_OAEP_SHA_256", 446 },
    };

    [Theory]
    [MemberData(nameof(SigningCases))]
    public void Raw_and_digest_signatures_verify_and_tampering_fails(string spec, string algorithm, string hash, int hashLength)
    {
        using var key = keys.Load(spec);
        var message = Bytes.Message();
        var digest = Hash(hash, message);
        Assert.Equal(hashLength, digest.Length);

        var raw = key.Sign(message, "RAW", algorithm);
        var fromDigest = key.Sign(digest, "DIGEST", algorithm);
        Assert.Equal(int.Parse(spec[4..]) / 8, raw.Length);
        foreach (var signature in new[] { raw, fromDigest })
        {
            // The message type of Verify need not be Sign's: RAW over M and DIGEST over H(M) are the same signature.
            Assert.True(key.Verify(message, "RAW", signature, algorithm));
            Assert.True(key.Verify(digest, "DIGEST", signature, algorithm));
            Assert.False(key.Verify(Bytes.Flip(message, 7), "RAW", signature, algorithm));
            Assert.False(key.Verify(Bytes.Flip(digest, 0), "DIGEST", signature, algorithm));
            Assert.False(key.Verify(message, "RAW", Bytes.Flip(signature, 5), algorithm));
            Assert.False(key.Verify(message, "RAW", signature[..^1], algorithm));
        }
    }

    [Theory]
    [MemberData(nameof(SigningCases))]
    public void OpenSsl_verifies_signatures_with_the_public_key_alone(string spec, string algorithm, string hash, int hashLength)
    {
        using var key = keys.Load(spec);
        using var openssl = new OpenSsl();
        var message = Bytes.Message();
        var publicPem = openssl.PublicKeyPem(key.PublicKeyDer);
        string[] pss = algorithm.Contains("PSS") ? ["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"] : ["rsa_padding_mode:pkcs1"];

        string[] Dgst(byte[] signature, byte[] data) =>
            ["dgst", $"-{hash}", "-verify", publicPem, .. pss.SelectMany(o => new[] { "-sigopt", o }),
             "-signature", openssl.File(signature), openssl.File(data)];
        string[] PkeyutlOverDigest(byte[] signature, byte[] digest) =>
            ["pkeyutl", "-verify", "-pubin", "-inkey", publicPem, "-pkeyopt", $"digest:{hash}",
             .. pss.SelectMany(o => new[] { "-pkeyopt", o }), "-in", openssl.File(digest), "-sigfile", openssl.File(signature)];

        var raw = key.Sign(message, "RAW", algorithm);
        Assert.True(OpenSsl.Verifies(Dgst(raw, message)));
        Assert.False(OpenSsl.Verifies(Dgst(Bytes.Flip(raw, 9), message)));
        Assert.False(OpenSsl.Verifies(Dgst(raw, Bytes.Flip(message, 3))));

        var digest = Hash(hash, message);
        Assert.Equal(hashLength, digest.Length);
        var fromDigest = key.Sign(digest, "DIGEST", algorithm);
        Assert.True(OpenSsl.Verifies(PkeyutlOverDigest(fromDigest, digest)));
        Assert.True(OpenSsl.Verifies(Dgst(fromDigest, message)));
    }

    [Theory]
    [MemberData(nameof(EncryptionCases))]
    public void Data_encrypted_outside_with_the_public_key_decrypts_inside(string spec, string algorithm, int max)
    {
        using var key = keys.Load(spec);
        using var openssl = new OpenSsl();
        var md = algorithm.EndsWith("SHA_1", StringComparison.Ordinal) ? "sha1" : "sha256";
        var plaintext = Bytes.Message(max);

        var byOpenSsl = openssl.MustRunToFile("pkeyutl", "-encrypt", "-pubin", "-inkey", openssl.PublicKeyPem(key.PublicKeyDer),
            "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", $"rsa_oaep_md:{md}", "-pkeyopt", $"rsa_mgf1_md:{md}",
            "-in", openssl.File(plaintext));
        Assert.Equal(plaintext, key.Decrypt(byOpenSsl, algorithm));

        using var outside = RSA.Create();
        outside.ImportSubjectPublicKeyInfo(key.PublicKeyDer, out _);
        var padding = md == "sha1" ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;
        Assert.Equal(plaintext, key.Decrypt(outside.Encrypt(plaintext, padding), algorithm));

        // And the other way: what Encrypt returns decrypts outside with the private key.
        var inside = key.Encrypt(plaintext, algorithm);
        var decrypted = openssl.MustRunToFile("pkeyutl", "-decrypt", "-inkey", openssl.PrivateKeyPem(keys.Pkcs8[spec].Expose()),
            "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", $"rsa_oaep_md:{md}", "-pkeyopt", $"rsa_mgf1_md:{md}",
            "-in", openssl.File(inside));
        Assert.Equal(plaintext, decrypted);
    }

    [Theory]
    [MemberData(nameof(EncryptionCases))]
    public void Plaintext_over_the_limit_fails_with_the_AWS_message(string spec, string algorithm, int max)
    {
        using var key = keys.Load(spec);
        Assert.NotEmpty(key.Encrypt(new byte[max], algorithm));
        var e = Assert.Throws<KmsCryptoException>(() => key.Encrypt(new byte[max + 1], algorithm));
        Assert.Equal(KmsCryptoError.PlaintextTooLarge, e.Error);
        Assert.Equal($"Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {max} bytes.", e.Message);
    }

    [Theory]
    [MemberData(nameof(EncryptionCases))]
    public void Tampered_or_misdirected_ciphertext_is_invalid(string spec, string algorithm, int max)
    {
        using var key = keys.Load(spec);
        var ciphertext = key.Encrypt(Bytes.Message(max / 2), algorithm);
        var other = algorithm == "RSAES_OAEP_SHA_1" ? "RSAES_OAEP_SHA_256" : "RSAES_OAEP_SHA_1";
        foreach (var bad in new[] { Bytes.Flip(ciphertext, 0), Bytes.Flip(ciphertext, ciphertext.Length - 1), ciphertext[..^1], [] })
        {
            Assert.Equal(KmsCryptoError.InvalidCiphertext, Assert.Throws<KmsCryptoException>(() => key.Decrypt(bad, algorithm)).Error);
        }

        Assert.Equal(KmsCryptoError.InvalidCiphertext, Assert.Throws<KmsCryptoException>(() => key.Decrypt(ciphertext, other)).Error);
    }

    [Theory]
    [MemberData(nameof(DigestCases))]
    public void Digests_of_the_wrong_length_fail_with_the_AWS_message(string spec, string algorithm, int hashLength)
    {
        using var key = keys.Load(spec);
        foreach (var length in new[] { 0, hashLength - 1, hashLength + 1, 20 })
        {
            if (length == hashLength) continue;
            var e = Assert.Throws<KmsCryptoException>(() => key.Sign(new byte[length], "DIGEST", algorithm));
            Assert.Equal(KmsCryptoError.InvalidDigestLength, e.Error);
            Assert.Equal($"Digest is invalid length for algorithm {algorithm}.", e.Message);
            Assert.Equal(KmsCryptoError.InvalidDigestLength,
                Assert.Throws<KmsCryptoException>(() => key.Verify(new byte[length], "DIGEST", new byte[10], algorithm)).Error);
        }
    }

    [Fact]
    public void Algorithms_of_other_specs_and_other_operations_are_refused()
    {
        using var key = keys.Load("RSA_2048");
        var e = Assert.Throws<KmsCryptoException>(() => key.Sign([1], "RAW", "ECDSA_SHA_256"));
        Assert.Equal((KmsCryptoError.UnsupportedAlgorithm, "Algorithm ECDSA_SHA_256 is incompatible with key spec RSA_2048."), (e.Error, e.Message));
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => key.Encrypt([1], "SM2PKE")).Error);
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => key.Encrypt([1], "SYMMETRIC_DEFAULT")).Error);
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => key.DeriveSharedSecret(key.PublicKeyDer)).Error);
        Assert.Equal(KmsCryptoError.InvalidMessage, Assert.Throws<KmsCryptoException>(() => key.Sign(new byte[64], "EXTERNAL_MU", "RSASSA_PSS_SHA_256")).Error);
        Assert.Equal(KmsCryptoError.InvalidMessage, Assert.Throws<KmsCryptoException>(() => key.Sign([1], "raw", "RSASSA_PSS_SHA_256")).Error);
    }

    [Fact]
    public void A_key_of_another_size_does_not_load_as_this_spec()
    {
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load("RSA_3072", keys.Pkcs8["RSA_2048"].Expose()));
        Assert.Throws<ArgumentException>(() => AsymmetricKey.Load("RSA_2048", keys.Pkcs8["RSA_4096"].Expose()));
    }

    private static byte[] Hash(string name, byte[] data) => name switch
    {
        "sha256" => SHA256.HashData(data),
        "sha384" => SHA384.HashData(data),
        _ => SHA512.HashData(data),
    };
}
