using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// A server started with <c>--quotas FILE</c>: tiny quotas (symmetric 5 requests a second, RSA 3, ECC and SM2 2, RSA_2048
/// data key pairs 2), on a fake KMS clock the tests move (SigV4 dates stay on the wall clock).
/// </summary>
public sealed class QuotaServerFixture : KmsServerFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void Configure(KmsServerOptions options)
    {
        var file = Path.Combine(Path.GetTempPath(), "kms-quotas-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(file, """
            {
              "Cryptographic operations (symmetric) request rate": 5,
              "Cryptographic operations (RSA) request rate": 3,
              "Cryptographic operations (ECC and SM2) request rate": 2,
              "GenerateDataKeyPair (RSA_2048) request rate": 2
            }
            """);
        options.Quotas = file;
        options.ConfigureServices = s => s.AddKeyedSingleton<TimeProvider>(KmsTime.ServiceKey, Clock);
    }
}

[CollectionDefinition(Name)]
public sealed class QuotaServerCollection : ICollectionFixture<QuotaServerFixture>
{
    public const string Name = "kms-quotas";
}

/// <summary>ThrottlingException at the quota, through the official AWS SDK (its retries off), and success once the clock moves.</summary>
[Collection(QuotaServerCollection.Name)]
public sealed class QuotaSdkTests(QuotaServerFixture fixture)
{
    private static readonly byte[] Plaintext = [1, 2, 3];
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    private Task<EncryptResponse> EncryptAsync(string keyId, EncryptionAlgorithmSpec? algorithm = null) =>
        _kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(Plaintext), EncryptionAlgorithm = algorithm });

    private Task<SignResponse> SignAsync(string keyId, SigningAlgorithmSpec algorithm) =>
        _kms.SignAsync(new SignRequest { KeyId = keyId, Message = new MemoryStream(Plaintext), SigningAlgorithm = algorithm });

    private Task<GenerateDataKeyPairResponse> PairAsync(string keyId, DataKeyPairSpec spec) =>
        _kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = keyId, KeyPairSpec = spec });

    private async Task<string> NewKeyAsync(KeySpec spec, KeyUsageType usage) =>
        (await _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage })).KeyMetadata.Arn;

    private static Task Throttled(Func<Task> call) =>
        Sdk.ThrowsCode("ThrottlingException", call, "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.");

    [Fact]
    public async Task The_sixth_Encrypt_in_a_second_is_ThrottlingException_and_succeeds_after_a_second()
    {
        var key = await _kms.NewKeyAsync();
        fixture.Clock.Advance(TimeSpan.FromSeconds(10)); // a full allowance, whatever ran before

        for (var i = 0; i < 5; i++) await EncryptAsync(key.KeyId);
        var throttled = await Sdk.ThrowsCode("ThrottlingException", () => EncryptAsync(key.KeyId),
            "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.");

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var encrypted = await EncryptAsync(key.KeyId);

        Assert.Equal(400, (int)throttled.StatusCode);
        Assert.Equal(key.Arn, encrypted.KeyId);
    }

    [Fact]
    public async Task The_quota_is_shared_by_the_symmetric_operations_and_leaves_others_alone()
    {
        var key = await _kms.NewKeyAsync();
        fixture.Clock.Advance(TimeSpan.FromSeconds(10));

        var ciphertext = (await EncryptAsync(key.KeyId)).CiphertextBlob.ToArray();
        for (var i = 0; i < 2; i++) await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) });
        await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, NumberOfBytes = 32 });
        await _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 16 });
        await Sdk.ThrowsCode("ThrottlingException", () => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, NumberOfBytes = 32 }));

        var described = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        Assert.Equal(key.Arn, described.KeyMetadata.Arn);
    }

    [Fact]
    public async Task Encrypt_with_an_RSA_key_is_throttled_at_the_RSA_quota_while_symmetric_Encrypts_still_pass()
    {
        var rsa = await NewKeyAsync(KeySpec.RSA_2048, KeyUsageType.ENCRYPT_DECRYPT);
        var symmetric = await _kms.NewKeyAsync();
        fixture.Clock.Advance(TimeSpan.FromSeconds(10));

        var ciphertext = (await EncryptAsync(rsa, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256)).CiphertextBlob.ToArray();
        await EncryptAsync(rsa, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256);
        var decrypted = await _kms.DecryptAsync(new DecryptRequest
        {
            KeyId = rsa,
            CiphertextBlob = new MemoryStream(ciphertext),
            EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256,
        });
        await Throttled(() => EncryptAsync(rsa, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256));

        for (var i = 0; i < 5; i++) await EncryptAsync(symmetric.KeyId);
        await Throttled(() => EncryptAsync(symmetric.KeyId));

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var encrypted = await EncryptAsync(rsa, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256);
        Assert.Equal(Plaintext, decrypted.Plaintext.ToArray());
        Assert.Equal(rsa, encrypted.KeyId);
    }

    [Fact]
    public async Task Sign_with_an_ECC_key_counts_against_the_ECC_quota_not_the_RSA_one()
    {
        var rsa = await NewKeyAsync(KeySpec.RSA_2048, KeyUsageType.SIGN_VERIFY);
        var ecc = await NewKeyAsync(KeySpec.ECC_NIST_P256, KeyUsageType.SIGN_VERIFY);
        fixture.Clock.Advance(TimeSpan.FromSeconds(10));

        for (var i = 0; i < 3; i++) await SignAsync(rsa, SigningAlgorithmSpec.RSASSA_PSS_SHA_256);
        await Throttled(() => SignAsync(rsa, SigningAlgorithmSpec.RSASSA_PSS_SHA_256));

        var signed = await SignAsync(ecc, SigningAlgorithmSpec.ECDSA_SHA_256);
        var verified = await _kms.VerifyAsync(new VerifyRequest
        {
            KeyId = ecc,
            Message = new MemoryStream(Plaintext),
            Signature = signed.Signature,
            SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256,
        });
        await Throttled(() => SignAsync(ecc, SigningAlgorithmSpec.ECDSA_SHA_256));

        Assert.True(verified.SignatureValid);
    }

    [Fact]
    public async Task GenerateDataKeyPair_RSA_2048_is_throttled_at_its_quota_and_leaves_other_specs_and_the_symmetric_quota_alone()
    {
        var key = await _kms.NewKeyAsync();
        fixture.Clock.Advance(TimeSpan.FromSeconds(10));

        await PairAsync(key.KeyId, DataKeyPairSpec.RSA_2048);
        await _kms.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = key.KeyId, KeyPairSpec = DataKeyPairSpec.RSA_2048 });
        await Throttled(() => PairAsync(key.KeyId, DataKeyPairSpec.RSA_2048));

        var ecc = await PairAsync(key.KeyId, DataKeyPairSpec.ECC_NIST_P256);
        for (var i = 0; i < 5; i++) await EncryptAsync(key.KeyId);

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var rsa = await PairAsync(key.KeyId, DataKeyPairSpec.RSA_2048);
        Assert.Equal(DataKeyPairSpec.ECC_NIST_P256, ecc.KeyPairSpec);
        Assert.Equal(DataKeyPairSpec.RSA_2048, rsa.KeyPairSpec);
    }
}
