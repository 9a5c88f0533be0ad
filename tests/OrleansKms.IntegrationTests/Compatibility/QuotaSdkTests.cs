using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// A server started with <c>--quotas FILE</c>: a tiny symmetric cryptographic quota of 5 requests a second, on a fake
/// KMS clock the tests move (SigV4 dates stay on the wall clock).
/// </summary>
public sealed class QuotaServerFixture : KmsServerFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void Configure(KmsServerOptions options)
    {
        var file = Path.Combine(Path.GetTempPath(), "kms-quotas-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(file, """{"Cryptographic operations (symmetric) request rate": 5}""");
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

    private Task<EncryptResponse> EncryptAsync(string keyId) =>
        _kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(Plaintext) });

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
}
