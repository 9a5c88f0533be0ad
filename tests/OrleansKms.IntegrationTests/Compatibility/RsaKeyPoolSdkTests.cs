using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Microsoft.Extensions.DependencyInjection;
using OrleansKms.Crypto.Keys;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;
using Kms = Amazon.KeyManagementService.Model;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// A server whose RSA key pool keeps 2 RSA_2048, 1 RSA_3072 and 1 RSA_4096 keys and is filled only by the tests
/// (no background filler), so each test knows whether a key comes from the pool or is generated on request.
/// </summary>
public sealed class RsaKeyPoolServerFixture : KmsServerFixture
{
    public RsaKeyPool Pool => Server.Services.GetRequiredService<RsaKeyPool>();

    protected override void Configure(KmsServerOptions options) =>
        options.RsaKeyPool = new Grains.KeyPool.RsaKeyPoolOptions { Rsa2048 = 2, Rsa3072 = 1, Rsa4096 = 1, FillInBackground = false };
}

/// <summary>
/// RSA keys from the pool of pre-generated keys, through the AWS SDK: each pooled key goes to one KMS key only, keys
/// created from the pool (and without it, when it is empty) sign, verify, encrypt and decrypt, checked against .NET's
/// RSA with the public key GetPublicKey returns, and GetParametersForImport's wrapping keys and GenerateDataKeyPair's
/// RSA pairs come from the pool too.
/// </summary>
public sealed class RsaKeyPoolSdkTests(RsaKeyPoolServerFixture fixture) : IClassFixture<RsaKeyPoolServerFixture>
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();
    private RsaKeyPool Pool => fixture.Pool;

    private void FillPool()
    {
        while (Pool.FillOne())
        {
        }
    }

    private void EmptyPool(int bits)
    {
        while (Pool.Available(bits) > 0) Pool.Take(bits).Dispose();
    }

    private async Task<(Kms.KeyMetadata Key, RSA PublicKey)> CreateAsync(string spec, string usage)
    {
        var key = (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest { KeySpec = spec, KeyUsage = usage }, TestContext.Current.CancellationToken)).KeyMetadata;
        var der = (await _kms.GetPublicKeyAsync(new Kms.GetPublicKeyRequest { KeyId = key.KeyId }, TestContext.Current.CancellationToken)).PublicKey.ToArray();
        var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(der, out _);
        return (key, rsa);
    }

    [Fact]
    public async Task Keys_from_the_pool_are_each_used_once_and_sign_verify_encrypt_and_decrypt()
    {
        FillPool();
        var before = RsaKeyPool.Sizes.ToDictionary(b => b, b => Pool.Taken(b));
        var created = new[]
        {
            await CreateAsync("RSA_2048", "SIGN_VERIFY"),
            await CreateAsync("RSA_2048", "ENCRYPT_DECRYPT"),
            await CreateAsync("RSA_3072", "SIGN_VERIFY"),
            await CreateAsync("RSA_4096", "ENCRYPT_DECRYPT"),
        };

        Assert.Equal((before[2048].Pooled + 2, before[2048].Inline), Pool.Taken(2048));
        Assert.Equal((before[3072].Pooled + 1, before[3072].Inline), Pool.Taken(3072));
        Assert.Equal((before[4096].Pooled + 1, before[4096].Inline), Pool.Taken(4096));
        var moduli = created.Select(c => Convert.ToHexString(c.PublicKey.ExportParameters(false).Modulus!)).ToList();
        Assert.Equal(moduli.Count, moduli.Distinct().Count());
        await SignsAndVerifiesAsync(created[0].Key, created[0].PublicKey);
        await EncryptsAndDecryptsAsync(created[1].Key, created[1].PublicKey);
        await SignsAndVerifiesAsync(created[2].Key, created[2].PublicKey);
        await EncryptsAndDecryptsAsync(created[3].Key, created[3].PublicKey);
        foreach (var c in created) c.PublicKey.Dispose();
    }

    [Fact]
    public void The_server_has_one_pool_for_its_Regions_and_its_gateway()
    {
        Assert.Same(fixture.Server.GatewayServices.GetRequiredService<RsaKeyPool>(), Pool);
        Assert.Same(fixture.Server.RegionServices("eu-west-1").GetRequiredService<RsaKeyPool>(), Pool);
        Assert.Equal((2, 1, 1), (Pool.Target(2048), Pool.Target(3072), Pool.Target(4096)));
    }

    [Fact]
    public async Task CreateKey_with_an_empty_pool_generates_the_key_and_it_works()
    {
        EmptyPool(2048);
        var before = Pool.Taken(2048);
        var (signing, signingPublic) = await CreateAsync("RSA_2048", "SIGN_VERIFY");
        var (encryption, encryptionPublic) = await CreateAsync("RSA_2048", "ENCRYPT_DECRYPT");

        Assert.Equal((before.Pooled, before.Inline + 2), Pool.Taken(2048));
        await SignsAndVerifiesAsync(signing, signingPublic);
        await EncryptsAndDecryptsAsync(encryption, encryptionPublic);

        // Refilled, the next key comes from the pool again.
        FillPool();
        var (refilled, refilledPublic) = await CreateAsync("RSA_2048", "SIGN_VERIFY");
        Assert.Equal((before.Pooled + 1, before.Inline + 2), Pool.Taken(2048));
        await SignsAndVerifiesAsync(refilled, refilledPublic);
    }

    [Fact]
    public async Task GetParametersForImport_takes_its_wrapping_key_from_the_pool_and_the_import_works()
    {
        FillPool();
        var before = Pool.Taken(3072);
        var key = await _kms.NewExternalKeyAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        await _kms.ImportAsync(key.KeyId, material, "RSA_AES_KEY_WRAP_SHA_256", "RSA_3072");

        Assert.Equal((before.Pooled + 1, before.Inline), Pool.Taken(3072));
        var ciphertext = (await _kms.EncryptAsync(new Kms.EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1, 2, 3]) },
            TestContext.Current.CancellationToken)).CiphertextBlob;
        var plaintext = await _kms.DecryptAsync(new Kms.DecryptRequest { CiphertextBlob = ciphertext }, TestContext.Current.CancellationToken);
        Assert.Equal([1, 2, 3], plaintext.Plaintext.ToArray());
    }

    [Fact]
    public async Task GenerateDataKeyPair_takes_RSA_pairs_from_the_pool_each_once_and_they_work()
    {
        FillPool();
        var before = RsaKeyPool.Sizes.ToDictionary(b => b, b => Pool.Taken(b));
        var wrapping = (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest(), TestContext.Current.CancellationToken)).KeyMetadata.KeyId;
        var context = new Dictionary<string, string> { ["purpose"] = "pool" };
        var pairs = new List<(byte[] PublicKey, byte[] PrivateKey)>();
        foreach (var spec in new[] { "RSA_2048", "RSA_2048", "RSA_3072", "RSA_4096" })
        {
            var pair = await _kms.GenerateDataKeyPairAsync(new Kms.GenerateDataKeyPairRequest { KeyId = wrapping, KeyPairSpec = spec, EncryptionContext = context },
                TestContext.Current.CancellationToken);
            Assert.Equal(spec, pair.KeyPairSpec);
            var decrypted = await _kms.DecryptAsync(new Kms.DecryptRequest { CiphertextBlob = pair.PrivateKeyCiphertextBlob, EncryptionContext = context },
                TestContext.Current.CancellationToken);
            Assert.Equal(pair.PrivateKeyPlaintext.ToArray(), decrypted.Plaintext.ToArray());
            pairs.Add((pair.PublicKey.ToArray(), decrypted.Plaintext.ToArray()));
        }

        Assert.Equal((before[2048].Pooled + 2, before[2048].Inline), Pool.Taken(2048));
        Assert.Equal((before[3072].Pooled + 1, before[3072].Inline), Pool.Taken(3072));
        Assert.Equal((before[4096].Pooled + 1, before[4096].Inline), Pool.Taken(4096));
        Assert.Equal(pairs.Count, pairs.Select(p => Convert.ToHexString(p.PublicKey)).Distinct().Count());
        foreach (var (publicKey, privateKey) in pairs) PairMatches(publicKey, privateKey);
    }

    [Fact]
    public async Task GenerateDataKeyPairWithoutPlaintext_takes_from_the_pool_and_generates_when_it_is_empty()
    {
        FillPool();
        var before = Pool.Taken(4096);
        var wrapping = (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest(), TestContext.Current.CancellationToken)).KeyMetadata.KeyId;
        var pooled = await _kms.GenerateDataKeyPairWithoutPlaintextAsync(new Kms.GenerateDataKeyPairWithoutPlaintextRequest { KeyId = wrapping, KeyPairSpec = "RSA_4096" },
            TestContext.Current.CancellationToken);
        Assert.Equal((before.Pooled + 1, before.Inline), Pool.Taken(4096));

        EmptyPool(4096);
        before = Pool.Taken(4096);
        var inline = await _kms.GenerateDataKeyPairWithoutPlaintextAsync(new Kms.GenerateDataKeyPairWithoutPlaintextRequest { KeyId = wrapping, KeyPairSpec = "RSA_4096" },
            TestContext.Current.CancellationToken);
        Assert.Equal((before.Pooled, before.Inline + 1), Pool.Taken(4096));

        Assert.NotEqual(pooled.PublicKey.ToArray(), inline.PublicKey.ToArray());
        foreach (var pair in new[] { pooled, inline })
        {
            var privateKey = (await _kms.DecryptAsync(new Kms.DecryptRequest { CiphertextBlob = pair.PrivateKeyCiphertextBlob }, TestContext.Current.CancellationToken)).Plaintext.ToArray();
            PairMatches(pair.PublicKey.ToArray(), privateKey);
        }
    }

    /// <summary>The PKCS#8 private key belongs to the SubjectPublicKeyInfo: what one encrypts the other decrypts.</summary>
    private static void PairMatches(byte[] publicKeyDer, byte[] privateKeyPkcs8)
    {
        using var publicKey = RSA.Create();
        publicKey.ImportSubjectPublicKeyInfo(publicKeyDer, out _);
        using var privateKey = RSA.Create();
        privateKey.ImportPkcs8PrivateKey(privateKeyPkcs8, out var read);
        Assert.Equal(privateKeyPkcs8.Length, read);
        Assert.Equal(publicKey.ExportParameters(false).Modulus, privateKey.ExportParameters(false).Modulus);
        var secret = RandomNumberGenerator.GetBytes(32);
        Assert.Equal(secret, privateKey.Decrypt(publicKey.Encrypt(secret, RSAEncryptionPadding.OaepSHA256), RSAEncryptionPadding.OaepSHA256));
    }

    private async Task SignsAndVerifiesAsync(Kms.KeyMetadata key, RSA publicKey)
    {
        var message = RandomNumberGenerator.GetBytes(100);
        foreach (var (algorithm, hash, padding) in new[]
        {
            ("RSASSA_PSS_SHA_256", HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            ("RSASSA_PKCS1_V1_5_SHA_384", HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
        })
        {
            var signature = (await _kms.SignAsync(new Kms.SignRequest { KeyId = key.KeyId, Message = new MemoryStream(message), SigningAlgorithm = algorithm },
                TestContext.Current.CancellationToken)).Signature.ToArray();
            Assert.True(publicKey.VerifyData(message, signature, hash, padding), $"{key.KeySpec} {algorithm} verifies outside");
            var verified = await _kms.VerifyAsync(new Kms.VerifyRequest
            {
                KeyId = key.KeyId, Message = new MemoryStream(message), Signature = new MemoryStream(signature), SigningAlgorithm = algorithm,
            }, TestContext.Current.CancellationToken);
            Assert.True(verified.SignatureValid);
        }
    }

    private async Task EncryptsAndDecryptsAsync(Kms.KeyMetadata key, RSA publicKey)
    {
        var plaintext = RandomNumberGenerator.GetBytes(64);
        var outside = publicKey.Encrypt(plaintext, RSAEncryptionPadding.OaepSHA256);
        var decrypted = await _kms.DecryptAsync(new Kms.DecryptRequest
        {
            KeyId = key.KeyId, CiphertextBlob = new MemoryStream(outside), EncryptionAlgorithm = "RSAES_OAEP_SHA_256",
        }, TestContext.Current.CancellationToken);
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());

        var inside = (await _kms.EncryptAsync(new Kms.EncryptRequest
        {
            KeyId = key.KeyId, Plaintext = new MemoryStream(plaintext), EncryptionAlgorithm = "RSAES_OAEP_SHA_1",
        }, TestContext.Current.CancellationToken)).CiphertextBlob;
        var back = await _kms.DecryptAsync(new Kms.DecryptRequest
        {
            KeyId = key.KeyId, CiphertextBlob = inside, EncryptionAlgorithm = "RSAES_OAEP_SHA_1",
        }, TestContext.Current.CancellationToken);
        Assert.Equal(plaintext, back.Plaintext.ToArray());
    }
}
