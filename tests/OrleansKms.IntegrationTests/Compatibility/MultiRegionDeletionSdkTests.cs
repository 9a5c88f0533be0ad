using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>A server of every Region whose KMS clock is a fake one the deletion tests move.</summary>
public sealed class MultiRegionClockFixture : KmsServerFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void Configure(KmsServerOptions options) =>
        options.ConfigureServices = s => s.AddKeyedSingleton<TimeProvider>(KmsTime.ServiceKey, Clock);

    /// <summary>What a key's lifecycle reminder does when it fires, in its Region.</summary>
    public Task RunKeysTimerAsync(string region, string keyId) =>
        Server.RegionServices(region).GetRequiredService<IGrainFactory>()
            .GetGrain<IKeyGrain>(new KeyArn(region, Sdk.Account, keyId).Value).RunDueWorkAsync();
}

/// <summary>Deleting a multi-Region primary: PendingReplicaDeletion until its replicas are gone, then its own waiting period.</summary>
public sealed class MultiRegionDeletionSdkTests(MultiRegionClockFixture fixture) : IClassFixture<MultiRegionClockFixture>
{
    [Fact]
    public async Task The_primary_waits_for_its_replica_then_its_own_window_then_is_deleted()
    {
        using var east = SdkClients.Create(fixture.Server.Endpoint, "us-east-1", "test", "test");
        using var west = SdkClients.Create(fixture.Server.Endpoint, "eu-west-1", "test", "test");
        var keyId = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata.KeyId;
        await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = keyId, ReplicaRegion = "eu-west-1" });
        await Replication.ReplicaEnabledAsync(west, keyId);

        await east.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });
        await west.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });
        fixture.Clock.Advance(TimeSpan.FromDays(7));
        await fixture.RunKeysTimerAsync("us-east-1", keyId);
        Assert.Equal(KeyState.PendingReplicaDeletion, (await east.DescribeAsync(keyId)).KeyState);
        await fixture.RunKeysTimerAsync("eu-west-1", keyId);

        await Sdk.Throws<NotFoundException>(() => west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }));
        var primary = await east.DescribeAsync(keyId);
        Assert.Equal(KeyState.PendingDeletion, primary.KeyState);
        Assert.Equal(fixture.Clock.GetUtcNow().AddDays(7).ToUnixTimeSeconds(), new DateTimeOffset(primary.DeletionDate!.Value).ToUnixTimeSeconds());
        Assert.Empty(primary.MultiRegionConfiguration.ReplicaKeys);
        fixture.Clock.Advance(TimeSpan.FromDays(7));
        await fixture.RunKeysTimerAsync("us-east-1", keyId);
        await Sdk.Throws<NotFoundException>(() => east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }));
    }

    [Fact]
    public async Task Cancelling_the_deletion_of_a_primary_waiting_for_its_replicas_makes_it_Disabled()
    {
        using var east = SdkClients.Create(fixture.Server.Endpoint, "us-east-1", "test", "test");
        using var west = SdkClients.Create(fixture.Server.Endpoint, "eu-west-1", "test", "test");
        var keyId = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata.KeyId;
        await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = keyId, ReplicaRegion = "eu-west-1" });
        await Replication.ReplicaEnabledAsync(west, keyId);
        await east.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });

        await east.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = keyId });

        Assert.Equal(KeyState.Disabled, (await east.DescribeAsync(keyId)).KeyState);
        Assert.Equal(KeyState.Enabled, (await west.DescribeAsync(keyId)).KeyState);
    }
}
