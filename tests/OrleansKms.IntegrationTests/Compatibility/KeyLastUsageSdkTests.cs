using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.DependencyInjection;
using OrleansKms.Gateway.Usage;
using OrleansKms.IntegrationTests.Infrastructure;
using SdkKeyMetadata = Amazon.KeyManagementService.Model.KeyMetadata;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// GetKeyLastUsage through the official AWS SDK. The gateway reports usage to the keys every few seconds; the tests
/// flush it at once (what the timer and a clean stop do) instead of waiting.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class KeyLastUsageSdkTests(KmsServerFixture fixture)
{
    private static readonly byte[] Message = [4, 8, 15, 16, 23, 42];
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    private Task FlushAsync() => fixture.Server.GatewayServices.GetRequiredService<KeyLastUsageRecorder>().FlushAsync();

    private async Task<SdkKeyMetadata> CreateAsync(string keySpec, string keyUsage) =>
        (await _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = keySpec, KeyUsage = keyUsage })).KeyMetadata;

    private async Task<GetKeyLastUsageResponse> LastUsageAsync(string keyId)
    {
        await FlushAsync();
        return await _kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = keyId });
    }

    private static void AssertUsed(GetKeyLastUsageResponse usage, string operation, string requestId, DateTime before)
    {
        Assert.NotNull(usage.KeyLastUsage);
        Assert.Equal(operation, usage.KeyLastUsage.Operation?.Value);
        Assert.Equal(requestId, usage.KeyLastUsage.KmsRequestId);
        Assert.InRange(usage.KeyLastUsage.Timestamp!.Value.ToUniversalTime(), before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task After_Encrypt_the_key_reports_Encrypt_with_its_request_id_and_time()
    {
        var key = await _kms.NewKeyAsync();
        var before = DateTime.UtcNow;
        var encrypted = await _kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(Message) });

        var usage = await LastUsageAsync(key.KeyId);

        AssertUsed(usage, "Encrypt", encrypted.ResponseMetadata.RequestId, before);
        Assert.Equal(key.Arn, usage.KeyId);
        Assert.Equal(key.CreationDate, usage.KeyCreationDate);
        Assert.Equal(key.CreationDate, usage.TrackingStartDate);
        // CloudTrailEventId names the audit record of that very request.
        var (records, _) = await OrleansKms.IntegrationTests.Audit.AuditSdkTests.LookupAsync(fixture.Server.Endpoint, "test", "test", 2, "--key", key.KeyId);
        var record = Assert.Single(records, r => r!["requestID"]?.GetValue<string>() == encrypted.ResponseMetadata.RequestId)!;
        Assert.Equal(record["eventID"]!.GetValue<string>(), usage.KeyLastUsage.CloudTrailEventId);
    }

    [Fact]
    public async Task After_Sign_the_key_reports_Sign_and_after_Verify_Verify()
    {
        var key = await CreateAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var before = DateTime.UtcNow;
        var signed = await _kms.SignAsync(new SignRequest
        {
            KeyId = key.Arn,
            Message = new MemoryStream(Message),
            SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256,
        });

        AssertUsed(await LastUsageAsync(key.KeyId), "Sign", signed.ResponseMetadata.RequestId, before);

        var verified = await _kms.VerifyAsync(new VerifyRequest
        {
            KeyId = key.KeyId,
            Message = new MemoryStream(Message),
            Signature = new MemoryStream(signed.Signature.ToArray()),
            SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256,
        });
        AssertUsed(await LastUsageAsync(key.Arn), "Verify", verified.ResponseMetadata.RequestId, before);
    }

    [Fact]
    public async Task After_GenerateMac_the_key_reports_GenerateMac()
    {
        var key = await CreateAsync("HMAC_256", "GENERATE_VERIFY_MAC");
        var before = DateTime.UtcNow;
        var mac = await _kms.GenerateMacAsync(new GenerateMacRequest
        {
            KeyId = key.KeyId,
            Message = new MemoryStream(Message),
            MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256,
        });

        AssertUsed(await LastUsageAsync(key.KeyId), "GenerateMac", mac.ResponseMetadata.RequestId, before);
    }

    [Fact]
    public async Task ReEncrypt_is_recorded_for_both_the_source_and_the_destination_key()
    {
        var source = await _kms.NewKeyAsync();
        var destination = await _kms.NewKeyAsync();
        var ciphertext = await _kms.EncryptAsync(source.KeyId, Message);
        var before = DateTime.UtcNow;
        var reEncrypted = await _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(ciphertext),
            DestinationKeyId = destination.KeyId,
        });

        AssertUsed(await LastUsageAsync(source.KeyId), "ReEncrypt", reEncrypted.ResponseMetadata.RequestId, before);
        AssertUsed(await LastUsageAsync(destination.KeyId), "ReEncrypt", reEncrypted.ResponseMetadata.RequestId, before);
    }

    [Fact]
    public async Task Without_an_explicit_flush_the_usage_arrives_within_the_flush_interval()
    {
        var key = await _kms.NewKeyAsync();
        var before = DateTime.UtcNow;
        var dataKey = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 });

        // The recorder's own timer (every 5 s) reports it: poll, bounded well past one interval.
        var deadline = DateTime.UtcNow + KeyLastUsageRecorder.FlushInterval * 4;
        GetKeyLastUsageResponse usage;
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            usage = await _kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key.KeyId });
        }
        while (usage.KeyLastUsage is null && DateTime.UtcNow < deadline);

        AssertUsed(usage, "GenerateDataKey", dataKey.ResponseMetadata.RequestId, before);
    }

    [Fact]
    public async Task A_failed_operation_is_not_recorded()
    {
        var key = await _kms.NewKeyAsync();
        var before = DateTime.UtcNow;
        var encrypted = await _kms.EncryptAsync(new EncryptRequest
        {
            KeyId = key.KeyId,
            Plaintext = new MemoryStream(Message),
            EncryptionContext = new Dictionary<string, string> { ["purpose"] = "test" },
        });

        await Sdk.Throws<InvalidCiphertextException>(() => _kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()),
            EncryptionContext = new Dictionary<string, string> { ["purpose"] = "other" },
        }));

        AssertUsed(await LastUsageAsync(key.KeyId), "Encrypt", encrypted.ResponseMetadata.RequestId, before);
    }

    [Fact]
    public async Task A_key_never_used_has_no_last_usage_and_tracking_starts_at_its_creation()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });

        var usage = await LastUsageAsync(key.KeyId);

        Assert.Null(usage.KeyLastUsage);
        Assert.Equal(key.Arn, usage.KeyId);
        Assert.Equal(key.CreationDate, usage.KeyCreationDate);
        Assert.Equal(key.CreationDate, usage.TrackingStartDate);
    }

    [Fact]
    public async Task An_alias_is_not_accepted_and_an_unknown_key_is_NotFoundException()
    {
        var unknown = Guid.NewGuid().ToString();

        await Sdk.Throws<NotFoundException>(() => _kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = unknown }));
        await Sdk.Throws<NotFoundException>(() => _kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = "alias/anything" }),
            "Invalid keyId 'alias/anything'");
    }
}
