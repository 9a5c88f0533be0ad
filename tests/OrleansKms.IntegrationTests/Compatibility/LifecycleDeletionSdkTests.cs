using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;
using static OrleansKms.IntegrationTests.Compatibility.LifecycleSdk;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// ScheduleKeyDeletion and CancelKeyDeletion through the official AWS SDK for .NET: what a key pending deletion
/// refuses and allows (the deletion itself, days later, is driven by the grain-level time tests).
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class LifecycleDeletionSdkTests(KmsServerFixture fixture)
{
    private static readonly byte[] Secret = [4, 8, 15, 16, 23, 42];
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    [Fact]
    public async Task ScheduleKeyDeletion_without_a_window_waits_30_days_and_DescribeKey_shows_it()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var scheduled = await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId });
        var described = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;

        Assert.Equal(key.Arn, scheduled.KeyId);
        Assert.Equal(KeyState.PendingDeletion, scheduled.KeyState);
        Assert.Equal(30, scheduled.PendingWindowInDays);
        AssertAbout(DateTime.UtcNow.AddDays(30), scheduled.DeletionDate);
        Assert.Equal(KeyState.PendingDeletion, described.KeyState);
        Assert.False(described.Enabled);
        Assert.Equal(scheduled.DeletionDate, described.DeletionDate);
        Assert.Null(described.PendingDeletionWindowInDays); // AWS reports it only for a primary key in PendingReplicaDeletion
    }

    [Theory]
    [InlineData(7)]
    [InlineData(30)]
    public async Task ScheduleKeyDeletion_with_a_window_reports_that_window(int days)
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var scheduled = await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.Arn, PendingWindowInDays = days });

        Assert.Equal(key.Arn, scheduled.KeyId);
        Assert.Equal(days, scheduled.PendingWindowInDays);
        AssertAbout(DateTime.UtcNow.AddDays(days), scheduled.DeletionDate);
        Assert.Equal(scheduled.DeletionDate, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.DeletionDate);
    }

    [Theory]
    [InlineData(6, "Member must have value greater than or equal to 7")]
    [InlineData(31, "Member must have value less than or equal to 30")]
    public async Task A_window_outside_7_to_30_days_is_a_ValidationException_and_leaves_the_key_enabled(int days, string constraint)
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = days }));

        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.Equal($"1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to satisfy constraint: {constraint}", e.Message);
        Assert.Equal(KeyState.Enabled, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task Every_cryptographic_operation_on_a_key_pending_deletion_is_KMSInvalidStateException()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var other = await _kms.NewLifecycleKeyAsync();
        var alias = UniqueAlias("doomed");
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        var ciphertext = await _kms.EncryptToBlobAsync(key.KeyId, Secret);
        var otherCiphertext = await _kms.EncryptToBlobAsync(other.KeyId, Secret);
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        var failures = new List<KMSInvalidStateException>
        {
            await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.EncryptToBlobAsync(key.KeyId, Secret)),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.EncryptToBlobAsync(alias, Secret)),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.DecryptBlobAsync(ciphertext)),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.ReEncryptAsync(new ReEncryptRequest
            {
                CiphertextBlob = new MemoryStream(ciphertext), DestinationKeyId = other.KeyId,
            })),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.ReEncryptAsync(new ReEncryptRequest
            {
                CiphertextBlob = new MemoryStream(otherCiphertext), DestinationKeyId = key.Arn,
            })),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() =>
                _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 })),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() =>
                _kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = key.KeyId, NumberOfBytes = 16 })),
        };

        Assert.All(failures, e => Assert.Equal($"{key.Arn} is pending deletion.", e.Message));
        Assert.Equal(Secret, (await _kms.DecryptBlobAsync(otherCiphertext)).Plaintext.ToArray());
    }

    [Fact]
    public async Task Key_management_changes_on_a_key_pending_deletion_are_KMSInvalidStateException()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId });

        var failures = new List<KMSInvalidStateException>
        {
            await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId })),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId })),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId })),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() =>
                _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key.KeyId, Description = "changed" })),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() =>
                _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = [new Tag { TagKey = "k", TagValue = "v" }] })),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() =>
                _kms.UntagResourceAsync(new UntagResourceRequest { KeyId = key.KeyId, TagKeys = ["k"] })),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId })),
            await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId })),
        };

        Assert.All(failures, e => Assert.Equal($"{key.Arn} is pending deletion.", e.Message));
        var described = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal(KeyState.PendingDeletion, described.KeyState);
        Assert.Equal("lifecycle", described.Description);
        Assert.NotNull(described.DeletionDate);
        Assert.Null(described.PendingDeletionWindowInDays);
        Assert.Empty((await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId })).Tags ?? []);
    }

    [Fact]
    public async Task CancelKeyDeletion_leaves_the_key_disabled_until_EnableKey_and_old_ciphertext_decrypts_again()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var ciphertext = await _kms.EncryptToBlobAsync(key.KeyId, Secret);
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        var cancelled = await _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });
        var described = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        var whileDisabled = await Assert.ThrowsAsync<DisabledException>(() => _kms.EncryptToBlobAsync(key.KeyId, Secret));
        await _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });

        Assert.Equal(key.Arn, cancelled.KeyId);
        Assert.Equal(KeyState.Disabled, described.KeyState);
        Assert.False(described.Enabled);
        Assert.Null(described.DeletionDate);
        Assert.Null(described.PendingDeletionWindowInDays);
        Assert.Equal($"{key.Arn} is disabled.", whileDisabled.Message);
        Assert.Equal(Secret, (await _kms.DecryptBlobAsync(ciphertext)).Plaintext.ToArray());
        var fresh = await _kms.EncryptToBlobAsync(key.KeyId, Secret);
        Assert.Equal(Secret, (await _kms.DecryptBlobAsync(fresh)).Plaintext.ToArray());
    }

    [Fact]
    public async Task CancelKeyDeletion_of_a_key_not_pending_deletion_is_KMSInvalidStateException()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var e = await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId }));

        Assert.Contains(key.Arn, e.Message);
        Assert.Equal(KeyState.Enabled, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task Rotation_reads_as_off_while_pending_deletion_and_comes_back_after_cancelling()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 200 });
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId });

        var pending = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        await _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.Arn });
        var cancelled = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });

        Assert.False(pending.KeyRotationEnabled);
        Assert.Equal(key.Arn, pending.KeyId);
        Assert.True(cancelled.KeyRotationEnabled);
        Assert.Equal(200, cancelled.RotationPeriodInDays);
    }

    [Fact]
    public async Task Scheduling_or_cancelling_the_deletion_of_a_missing_key_is_NotFoundException()
    {
        var arn = $"arn:aws:kms:{Region}:{Account}:key/{Guid.NewGuid()}";

        var schedule = await Assert.ThrowsAsync<NotFoundException>(() => _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = arn }));
        var cancel = await Assert.ThrowsAsync<NotFoundException>(() => _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = arn }));

        Assert.Equal($"Key '{arn}' does not exist", schedule.Message);
        Assert.Equal($"Key '{arn}' does not exist", cancel.Message);
    }
}
