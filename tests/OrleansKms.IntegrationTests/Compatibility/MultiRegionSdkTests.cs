using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// Multi-Region keys through the AWS SDK, with clients in several Regions of one endpoint: the primary, its
/// replicas, what they share (material, every rotation, rotation settings) and what they do not (policy, tags,
/// description, enabled state), UpdatePrimaryRegion, and deletion through PendingReplicaDeletion.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class MultiRegionSdkTests(KmsServerFixture fixture)
{
    private AmazonKeyManagementServiceClient In(string region) => SdkClients.Create(fixture.Server.Endpoint, region, "test", "test");

    private async Task<(Amazon.KeyManagementService.Model.KeyMetadata Primary, AmazonKeyManagementServiceClient East, AmazonKeyManagementServiceClient West)> ReplicatedAsync(
        CreateKeyRequest? create = null)
    {
        var east = In("us-east-1");
        var west = In("eu-west-1");
        var primary = (await east.CreateKeyAsync(create ?? new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "eu-west-1" });
        await Replication.ReplicaEnabledAsync(west, primary.KeyId);
        return (primary, east, west);
    }

    [Fact]
    public async Task CreateKey_with_MultiRegion_makes_an_mrk_primary_with_no_replicas()
    {
        using var east = In("us-east-1");

        var key = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Description = "mrk" })).KeyMetadata;

        Assert.Matches("^mrk-[0-9a-f]{32}$", key.KeyId);
        Assert.True(key.MultiRegion);
        Assert.Equal(MultiRegionKeyType.PRIMARY, key.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal(key.Arn, key.MultiRegionConfiguration.PrimaryKey.Arn);
        Assert.Equal("us-east-1", key.MultiRegionConfiguration.PrimaryKey.Region);
        Assert.Empty(key.MultiRegionConfiguration.ReplicaKeys);
        var single = await east.NewKeyAsync();
        Assert.False(single.MultiRegion);
        Assert.Null(single.MultiRegionConfiguration);
    }

    [Fact]
    public async Task ReplicateKey_answers_Creating_then_the_replica_is_Enabled_with_its_own_policy_tags_and_description()
    {
        using var east = In("us-east-1");
        using var west = In("eu-west-1");
        var primary = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Description = "primary" })).KeyMetadata;

        var replicated = await east.ReplicateKeyAsync(new ReplicateKeyRequest
        {
            KeyId = primary.KeyId, ReplicaRegion = "eu-west-1", Description = "replica",
            Tags = [new Tag { TagKey = "site", TagValue = "dublin" }],
        });
        await Replication.ReplicaEnabledAsync(west, primary.KeyId);

        var preview = replicated.ReplicaKeyMetadata;
        Assert.Equal(KeyState.Creating, preview.KeyState);
        Assert.False(preview.Enabled);
        Assert.Equal($"arn:aws:kms:eu-west-1:000000000000:key/{primary.KeyId}", preview.Arn);
        Assert.Equal(MultiRegionKeyType.REPLICA, preview.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Contains("\"kms:*\"", replicated.ReplicaPolicy);
        Assert.Equal("dublin", Assert.Single(replicated.ReplicaTags).TagValue);
        var replica = await west.DescribeAsync(primary.KeyId);
        Assert.Equal("replica", replica.Description);
        Assert.Equal(primary.CurrentKeyMaterialId, replica.CurrentKeyMaterialId);
        Assert.Equal(primary.Arn, replica.MultiRegionConfiguration.PrimaryKey.Arn);
        Assert.Equal(["eu-west-1"], replica.MultiRegionConfiguration.ReplicaKeys.Select(k => k.Region));
        Assert.Equal("dublin", Assert.Single((await west.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = primary.KeyId })).Tags).TagValue);
        Assert.Empty((await east.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = primary.KeyId })).Tags ?? []);
        var seenByPrimary = await east.DescribeAsync(primary.KeyId);
        Assert.Equal("primary", seenByPrimary.Description);
        Assert.Equal(replica.Arn, Assert.Single(seenByPrimary.MultiRegionConfiguration.ReplicaKeys).Arn);
    }

    [Fact]
    public async Task Ciphertext_from_either_Region_decrypts_in_the_other_and_a_rotation_reaches_the_replica()
    {
        var (primary, east, west) = await ReplicatedAsync();
        var fromEast = await east.EncryptAsync(primary.KeyId, "east"u8.ToArray(), new() { ["app"] = "mr" });
        var fromWest = await west.EncryptAsync(primary.KeyId, "west"u8.ToArray());

        Assert.Equal("east"u8.ToArray(), await west.DecryptAsync(fromEast, context: new() { ["app"] = "mr" }));
        Assert.Equal("west"u8.ToArray(), await east.DecryptAsync(fromWest));

        await east.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId });
        var rotated = (await east.DescribeAsync(primary.KeyId)).CurrentKeyMaterialId;
        await Replication.WaitUntilAsync(async () => (await west.DescribeAsync(primary.KeyId)).CurrentKeyMaterialId == rotated, "the rotation reaching eu-west-1");
        var afterRotation = await east.EncryptAsync(primary.KeyId, "new"u8.ToArray());
        Assert.Equal("new"u8.ToArray(), await west.DecryptAsync(afterRotation));
        Assert.Equal("east"u8.ToArray(), await west.DecryptAsync(fromEast, context: new() { ["app"] = "mr" }));
        Assert.Single((await west.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = primary.KeyId })).Rotations);
    }

    [Fact]
    public async Task Rotation_settings_are_shared_and_changed_only_in_the_primary_Region()
    {
        var (primary, east, west) = await ReplicatedAsync();

        await east.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = primary.KeyId, RotationPeriodInDays = 123 });

        await Replication.WaitUntilAsync(async () =>
            (await west.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = primary.KeyId })).RotationPeriodInDays == 123,
            "the rotation period reaching eu-west-1");
        var replicaArn = $"arn:aws:kms:eu-west-1:000000000000:key/{primary.KeyId}";
        await Sdk.Throws<UnsupportedOperationException>(() => west.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = primary.KeyId }),
            $"{replicaArn} is not a multi-region primary key.");
        await Sdk.Throws<UnsupportedOperationException>(() => west.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "ap-south-1" }),
            $"{replicaArn} is not a multi-region primary key.");
    }

    [Fact]
    public async Task The_enabled_state_is_per_Region()
    {
        var (primary, east, west) = await ReplicatedAsync();

        await west.DisableKeyAsync(new DisableKeyRequest { KeyId = primary.KeyId });

        await Sdk.Throws<DisabledException>(() => west.EncryptAsync(primary.KeyId, [1]));
        Assert.Equal([1], await east.DecryptAsync(await east.EncryptAsync(primary.KeyId, [1])));
    }

    [Fact]
    public async Task A_multi_Region_signing_key_signs_in_the_primary_and_verifies_in_the_replica()
    {
        var (primary, east, west) = await ReplicatedAsync(new CreateKeyRequest { MultiRegion = true, KeySpec = KeySpec.ECC_NIST_P256, KeyUsage = KeyUsageType.SIGN_VERIFY });
        var message = Encoding.UTF8.GetBytes("signed in us-east-1");

        var signature = (await east.SignAsync(new SignRequest
        {
            KeyId = primary.KeyId, Message = new MemoryStream(message), SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256,
        })).Signature;

        Assert.True((await west.VerifyAsync(new VerifyRequest
        {
            KeyId = primary.KeyId, Message = new MemoryStream(message), Signature = signature, SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256,
        })).SignatureValid);
        Assert.Equal((await east.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = primary.KeyId })).PublicKey.ToArray(),
            (await west.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = primary.KeyId })).PublicKey.ToArray());
    }

    [Fact]
    public async Task UpdatePrimaryRegion_moves_the_primary_and_the_old_primary_becomes_a_replica()
    {
        var (primary, east, west) = await ReplicatedAsync();

        await east.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.KeyId, PrimaryRegion = "eu-west-1" });

        await Replication.WaitUntilAsync(async () =>
            (await west.DescribeAsync(primary.KeyId)).MultiRegionConfiguration.MultiRegionKeyType == MultiRegionKeyType.PRIMARY, "eu-west-1 becoming primary");
        await Replication.WaitUntilAsync(async () => (await east.DescribeAsync(primary.KeyId)).KeyState == KeyState.Enabled, "the old primary leaving Updating");
        var oldPrimary = await east.DescribeAsync(primary.KeyId);
        Assert.Equal(MultiRegionKeyType.REPLICA, oldPrimary.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal("eu-west-1", oldPrimary.MultiRegionConfiguration.PrimaryKey.Region);
        await west.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = primary.KeyId, RotationPeriodInDays = 200 });
        await Replication.WaitUntilAsync(async () =>
            (await east.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = primary.KeyId })).RotationPeriodInDays == 200,
            "the new primary's change reaching us-east-1");
        await Sdk.Throws<UnsupportedOperationException>(() => east.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId }));
    }

    [Fact]
    public async Task While_the_replica_Region_is_down_UpdatePrimaryRegion_leaves_the_old_primary_Updating_usable_but_not_manageable()
    {
        var (primary, east, west) = await ReplicatedAsync(new CreateKeyRequest { MultiRegion = true });
        await fixture.Server.RegionControl.StopAsync("eu-west-1");
        try
        {
            await east.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.KeyId, PrimaryRegion = "eu-west-1" });

            Assert.Equal(KeyState.Updating, (await east.DescribeAsync(primary.KeyId)).KeyState);
            Assert.Equal([5], await east.DecryptAsync(await east.EncryptAsync(primary.KeyId, [5])));
            await Sdk.Throws<KMSInvalidStateException>(() => east.DisableKeyAsync(new DisableKeyRequest { KeyId = primary.KeyId }));
        }
        finally
        {
            await fixture.Server.RegionControl.StartAsync("eu-west-1");
        }

        await Replication.WaitUntilAsync(async () => (await east.DescribeAsync(primary.KeyId)).KeyState == KeyState.Enabled, "the update completing");
        Assert.Equal(MultiRegionKeyType.PRIMARY, (await west.DescribeAsync(primary.KeyId)).MultiRegionConfiguration.MultiRegionKeyType);
    }

    [Fact]
    public async Task Deleting_a_primary_with_replicas_waits_in_PendingReplicaDeletion_until_they_are_deleted()
    {
        var (primary, east, west) = await ReplicatedAsync();

        var scheduled = await east.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = primary.KeyId, PendingWindowInDays = 7 });

        Assert.Equal(KeyState.PendingReplicaDeletion, scheduled.KeyState);
        Assert.Null(scheduled.DeletionDate);
        Assert.Equal(7, (await east.DescribeAsync(primary.KeyId)).PendingDeletionWindowInDays);
        await Sdk.Throws<KMSInvalidStateException>(() => east.EncryptAsync(primary.KeyId, [1]));
        Assert.Equal([1], await west.DecryptAsync(await west.EncryptAsync(primary.KeyId, [1])));
    }

    [Fact]
    public async Task In_the_China_partition_an_SM2_key_replicates_between_China_Regions_with_aws_cn_ARNs()
    {
        using var beijing = In("cn-north-1");
        using var ningxia = In("cn-northwest-1");
        var primary = (await beijing.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, KeySpec = "SM2", KeyUsage = KeyUsageType.SIGN_VERIFY })).KeyMetadata;
        var message = new MemoryStream("北京"u8.ToArray());

        await beijing.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "cn-northwest-1" });
        await Replication.ReplicaEnabledAsync(ningxia, primary.KeyId);
        var signature = (await beijing.SignAsync(new SignRequest { KeyId = primary.KeyId, Message = message, SigningAlgorithm = "SM2DSA" })).Signature;

        var replica = await ningxia.DescribeAsync(primary.KeyId);
        Assert.Equal($"arn:aws-cn:kms:cn-northwest-1:000000000000:key/{primary.KeyId}", replica.Arn);
        Assert.Equal($"arn:aws-cn:kms:cn-north-1:000000000000:key/{primary.KeyId}", replica.MultiRegionConfiguration.PrimaryKey.Arn);
        Assert.True((await ningxia.VerifyAsync(new VerifyRequest
        {
            KeyId = primary.KeyId, Message = new MemoryStream("北京"u8.ToArray()), Signature = signature, SigningAlgorithm = "SM2DSA",
        })).SignatureValid);
    }

    [Fact]
    public async Task ReplicateKey_refuses_single_Region_keys_existing_replicas_and_Regions_of_another_partition()
    {
        using var east = In("us-east-1");
        var single = await east.NewKeyAsync();
        var (primary, _, _) = await ReplicatedAsync();

        await Sdk.Throws<UnsupportedOperationException>(() => east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = single.KeyId, ReplicaRegion = "eu-west-1" }),
            $"{single.Arn} is not a multi-region primary key.");
        await Sdk.Throws<AlreadyExistsException>(() => east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "eu-west-1" }));
        await Sdk.Throws<UnsupportedOperationException>(() => east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "cn-north-1" }));
        await Sdk.ThrowsValidation(() => east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "EU_WEST_1" }),
            "1 validation error detected: Value 'EU_WEST_1' at 'replicaRegion' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$");
    }
}
