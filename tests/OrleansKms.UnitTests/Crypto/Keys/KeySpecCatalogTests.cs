using System.Text.Json;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.UnitTests.Crypto.Keys;

/// <summary>Keeps the catalog equal to the AWS model's enums and to what CreateKey's documentation allows.</summary>
public sealed class KeySpecCatalogTests
{
    private static readonly JsonElement Shapes =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "kms-service-2.json")))
            .RootElement.GetProperty("shapes");

    private static HashSet<string> Enum(string shape) =>
        Shapes.GetProperty(shape).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToHashSet();

    [Fact]
    public void Every_key_spec_of_the_model_is_in_the_catalog_and_nothing_else()
    {
        Assert.Equal(Enum("KeySpec"), KeySpecCatalog.All.Select(s => s.KeySpec).ToHashSet());
        Assert.False(KeySpecCatalog.TryGet("RSA_1024", out _));
        foreach (var spec in Enum("KeySpec"))
        {
            Assert.True(KeySpecCatalog.TryGet(spec, out var info));
            Assert.Equal(spec, info.KeySpec);
        }
    }

    [Fact]
    public void Usages_and_algorithms_are_names_of_the_model()
    {
        var usages = Enum("KeyUsageType");
        var encryption = Enum("EncryptionAlgorithmSpec");
        var signing = Enum("SigningAlgorithmSpec");
        var mac = Enum("MacAlgorithmSpec");
        var agreement = Enum("KeyAgreementAlgorithmSpec");
        var used = new HashSet<string>();
        foreach (var info in KeySpecCatalog.All)
        {
            Assert.NotEmpty(info.KeyUsages);
            foreach (var usage in info.KeyUsages)
            {
                Assert.Contains(usage, usages);
                var lists = new[] { info.EncryptionAlgorithms(usage), info.SigningAlgorithms(usage), info.MacAlgorithms(usage), info.KeyAgreementAlgorithms(usage) };
                Assert.Single(lists, l => l.Count > 0); // exactly the list of the usage's kind
                Assert.All(info.EncryptionAlgorithms(usage), a => Assert.Contains(a, encryption));
                Assert.All(info.SigningAlgorithms(usage), a => Assert.Contains(a, signing));
                Assert.All(info.MacAlgorithms(usage), a => Assert.Contains(a, mac));
                Assert.All(info.KeyAgreementAlgorithms(usage), a => Assert.Contains(a, agreement));
                used.UnionWith(lists.SelectMany(l => l));
            }
        }

        Assert.Equal(encryption.Concat(signing).Concat(mac).Concat(agreement).ToHashSet(), used); // every algorithm has a spec
    }

    [Fact]
    public void Key_specs_allow_the_usages_and_algorithms_AWS_documents()
    {
        AssertSpec("SYMMETRIC_DEFAULT", ("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT"));
        AssertSpec("RSA_3072", ("ENCRYPT_DECRYPT", "RSAES_OAEP_SHA_1 RSAES_OAEP_SHA_256"),
            ("SIGN_VERIFY", "RSASSA_PSS_SHA_256 RSASSA_PSS_SHA_384 RSASSA_PSS_SHA_512 RSASSA_PKCS1_V1_5_SHA_256 RSASSA_PKCS1_V1_5_SHA_384 RSASSA_PKCS1_V1_5_SHA_512"));
        AssertSpec("ECC_NIST_P256", ("SIGN_VERIFY", "ECDSA_SHA_256"), ("KEY_AGREEMENT", "ECDH"));
        AssertSpec("ECC_NIST_P384", ("SIGN_VERIFY", "ECDSA_SHA_384"), ("KEY_AGREEMENT", "ECDH"));
        AssertSpec("ECC_NIST_P521", ("SIGN_VERIFY", "ECDSA_SHA_512"), ("KEY_AGREEMENT", "ECDH"));
        AssertSpec("ECC_SECG_P256K1", ("SIGN_VERIFY", "ECDSA_SHA_256")); // CreateKey: "can be used only to sign and verify"
        AssertSpec("ECC_NIST_EDWARDS25519", ("SIGN_VERIFY", "ED25519_SHA_512 ED25519_PH_SHA_512"));
        AssertSpec("ML_DSA_65", ("SIGN_VERIFY", "ML_DSA_SHAKE_256"));
        AssertSpec("SM2", ("ENCRYPT_DECRYPT", "SM2PKE"), ("SIGN_VERIFY", "SM2DSA"), ("KEY_AGREEMENT", "ECDH"));
        AssertSpec("HMAC_224", ("GENERATE_VERIFY_MAC", "HMAC_SHA_224"));
        AssertSpec("HMAC_512", ("GENERATE_VERIFY_MAC", "HMAC_SHA_512"));

        Assert.True(KeySpecCatalog.TryGet("RSA_2048", out var rsa));
        Assert.Empty(rsa.SigningAlgorithms("ENCRYPT_DECRYPT"));
        Assert.Empty(rsa.EncryptionAlgorithms("SIGN_VERIFY"));
        Assert.Empty(rsa.KeyAgreementAlgorithms("KEY_AGREEMENT"));
        Assert.Empty(rsa.MacAlgorithms("GENERATE_VERIFY_MAC"));
    }

    [Fact]
    public void Data_key_pair_specs_of_the_model_are_the_ones_DataKeyPairs_generates()
    {
        // DataKeyPairsTests generates and checks a pair of each; here: the model's list is that list, and no other spec generates.
        Assert.Equal(Enum("DataKeyPairSpec"), DataKeyPairsTests.PairSpecs.ToHashSet());
        foreach (var spec in Enum("KeySpec").Except(Enum("DataKeyPairSpec")))
        {
            Assert.Throws<ArgumentException>(() => DataKeyPairs.Generate(spec));
        }
    }

    private static void AssertSpec(string spec, params (string Usage, string Algorithms)[] expected)
    {
        Assert.True(KeySpecCatalog.TryGet(spec, out var info));
        Assert.Equal(expected.Select(e => e.Usage), info.KeyUsages);
        foreach (var (usage, algorithms) in expected)
        {
            var actual = info.EncryptionAlgorithms(usage).Concat(info.SigningAlgorithms(usage))
                .Concat(info.MacAlgorithms(usage)).Concat(info.KeyAgreementAlgorithms(usage));
            Assert.Equal(algorithms.Split(' '), actual);
        }
    }
}

/// <summary>The rest of each spec's row: kind of material, grant operations, given-material checks, regions.</summary>
public sealed class KeySpecRowTests
{
    [Theory]
    [InlineData("SYMMETRIC_DEFAULT", KeyMaterialKind.Symmetric, 32)]
    [InlineData("HMAC_224", KeyMaterialKind.Hmac, 28)]
    [InlineData("HMAC_512", KeyMaterialKind.Hmac, 64)]
    public void Symmetric_and_HMAC_specs_generate_keys_of_AWSs_size(string spec, KeyMaterialKind kind, int size)
    {
        var info = KeySpecCatalog.Get(spec);
        Assert.Equal(kind, info.Kind);
        using var material = info.Generate();
        Assert.Equal(size, material.Expose().Length);
        Assert.Null(info.MaterialProblem(material.Expose()));
    }

    [Fact]
    public void Every_asymmetric_spec_generates_a_private_key_it_accepts_as_given_material_and_refuses_another_specs()
    {
        foreach (var info in KeySpecCatalog.All.Where(s => s.Kind == KeyMaterialKind.Asymmetric))
        {
            using var pkcs8 = info.Generate();
            Assert.Null(info.MaterialProblem(pkcs8.Expose()));
            using var key = info.LoadPrivateKey(pkcs8.Expose());
            Assert.Equal(info.KeySpec, key.KeySpec);
            var other = info.KeySpec == "ECC_NIST_P256" ? "ECC_NIST_P384" : "ECC_NIST_P256";
            Assert.NotNull(KeySpecCatalog.Get(other).MaterialProblem(pkcs8.Expose()));
        }
    }

    [Fact]
    public void Given_material_of_the_wrong_size_is_refused_with_the_sizes_AWS_accepts()
    {
        Assert.Equal("key material of a SYMMETRIC_DEFAULT key is 32 bytes, not 31.", KeySpecCatalog.Get("SYMMETRIC_DEFAULT").MaterialProblem(new byte[31]));
        Assert.Equal("key material of an HMAC_256 key is 32 to 64 bytes, not 65.", KeySpecCatalog.Get("HMAC_256").MaterialProblem(new byte[65]));
        Assert.Null(KeySpecCatalog.Get("HMAC_384").MaterialProblem(new byte[128]));
        Assert.Throws<ArgumentException>(() => KeySpecCatalog.Get("HMAC_256").LoadPrivateKey([]));
        Assert.Throws<ArgumentException>(() => KeySpecCatalog.Get("RSA_1024"));
    }

    [Fact]
    public void Grant_operations_rotation_and_regions_follow_the_spec()
    {
        Assert.Contains("GenerateDataKey", KeySpecCatalog.Get("SYMMETRIC_DEFAULT").GrantOperations("ENCRYPT_DECRYPT"));
        Assert.Equal(["Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey"],
            KeySpecCatalog.Get("RSA_2048").GrantOperations("ENCRYPT_DECRYPT"));
        Assert.Equal(["Sign", "Verify", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey"], KeySpecCatalog.Get("ECC_NIST_P256").GrantOperations("SIGN_VERIFY"));
        Assert.Equal(["GenerateMac", "VerifyMac", "CreateGrant", "RetireGrant", "DescribeKey"], KeySpecCatalog.Get("HMAC_224").GrantOperations("GENERATE_VERIFY_MAC"));
        Assert.Equal(["DeriveSharedSecret", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey"], KeySpecCatalog.Get("SM2").GrantOperations("KEY_AGREEMENT"));
        Assert.Equal(["SYMMETRIC_DEFAULT"], KeySpecCatalog.All.Where(s => s.Rotates).Select(s => s.KeySpec));
        Assert.Equal(["SYMMETRIC_DEFAULT"], KeySpecCatalog.All.Where(s => s.AllowsEncryptionContextConstraints).Select(s => s.KeySpec));
        Assert.Equal(["SM2"], KeySpecCatalog.All.Where(s => s.ChinaRegionsOnly).Select(s => s.KeySpec));
    }
}
