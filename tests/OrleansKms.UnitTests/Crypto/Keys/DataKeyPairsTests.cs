using OrleansKms.Crypto.Keys;

namespace OrleansKms.UnitTests.Crypto.Keys;

public sealed class DataKeyPairsTests
{
    public static TheoryData<string, string, string> Specs() => new()
    {
        // data key pair spec, signing algorithm used to pair the keys, openssl arguments that verify it over a file
        { "RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "dgst -sha256" },
        { "RSA_3072", "RSASSA_PKCS1_V1_5_SHA_384", "dgst -sha384" },
        { "RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512", "dgst -sha512" },
        { "ECC_NIST_P256", "ECDSA_SHA_256", "dgst -sha256" },
        { "ECC_NIST_P384", "ECDSA_SHA_384", "dgst -sha384" },
        { "ECC_NIST_P521", "ECDSA_SHA_512", "dgst -sha512" },
        { "ECC_SECG_P256K1", "ECDSA_SHA_256", "dgst -sha256" },
        { "SM2", "SM2DSA", "dgst -sm3 -sigopt distid:1234567812345678" },
        { "ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "pkeyutl -rawin" },
    };

    public static readonly string[] PairSpecs = [.. Specs().Select(row => row.Data.Item1)];

    [Theory]
    [MemberData(nameof(Specs))]
    public void The_private_key_matches_the_public_key(string spec, string algorithm, string verifyWith)
    {
        var (privateKey, publicKey) = DataKeyPairs.Generate(spec);
        using var _ = privateKey;
        using var openssl = new OpenSsl();
        var privatePem = openssl.PrivateKeyPem(privateKey.Expose());

        // OpenSSL reads the PKCS#8 and derives from it exactly the SubjectPublicKeyInfo returned beside it.
        var derived = openssl.MustRunToFile("pkey", "-in", privatePem, "-pubout", "-outform", "DER");
        Assert.Equal(publicKey, derived);

        // Sign with the private key, verify outside with the public key alone.
        using var key = AsymmetricKey.Load(spec, privateKey.Expose());
        var message = Bytes.Message();
        var signature = key.Sign(message, "RAW", algorithm);
        var publicPem = openssl.PublicKeyPem(publicKey);
        var tool = verifyWith.Split(' ');
        string[] args = tool[0] == "pkeyutl"
            ? [.. tool, "-verify", "-pubin", "-inkey", publicPem, "-in", openssl.File(message), "-sigfile", openssl.File(signature)]
            : [.. tool, "-verify", publicPem, "-signature", openssl.File(signature), openssl.File(message)];
        Assert.True(OpenSsl.Verifies(args));
    }

    [Fact]
    public void Each_pair_is_new()
    {
        var (a, aPublic) = DataKeyPairs.Generate("ECC_NIST_P256");
        var (b, bPublic) = DataKeyPairs.Generate("ECC_NIST_P256");
        using (a)
        using (b)
        {
            Assert.NotEqual(aPublic, bPublic);
            Assert.False(a.Equals(b));
        }
    }

    [Theory]
    [InlineData("ML_DSA_44")]
    [InlineData("HMAC_256")]
    [InlineData("SYMMETRIC_DEFAULT")]
    [InlineData("RSA_1024")]
    public void Specs_outside_DataKeyPairSpec_are_refused(string spec) =>
        Assert.Throws<ArgumentException>(() => DataKeyPairs.Generate(spec));
}
