using Orleans.Core.Internal;
using OrleansKms.Grains.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// <c>--storage memory</c> (CompactMemoryGrainStorage): a key whose grain was collected comes back as it was stored,
/// on either silo, and a write from a stale copy of a row is refused as in any Orleans storage.
/// </summary>
public sealed class MemoryStorageTests(TwoSiloClusterFixture cluster) : IClassFixture<TwoSiloClusterFixture>
{
    [Fact]
    public async Task A_key_whose_grain_was_collected_reads_back_its_stored_state()
    {
        var arn = new KeyArn(cluster.Region, cluster.Caller.AccountId, KeyIds.NewSingleRegion());
        var key = cluster.Silo(0).GetGrain<IKeyGrain>(arn.Value);
        var created = await key.CreateAsync(new CreateKeyCommand { Caller = cluster.Caller, Description = "first" });
        await key.UpdateDescriptionAsync(cluster.Caller, "second");
        await key.Cast<IGrainManagementExtension>().DeactivateOnIdle();

        var described = await cluster.Silo(1).GetGrain<IKeyGrain>(arn.Value).DescribeAsync(cluster.Caller);

        Assert.Equal("second", described.Description);
        Assert.Equal(created.CreationDate, described.CreationDate);
        Assert.Equal(KeyStateKind.Enabled, described.KeyState);
    }

    [Fact]
    public async Task A_write_or_clear_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        var store = cluster.Silo(0).GetGrain<IMemoryStoreGrain>(3);
        var grain = GrainId.Create("test", Guid.NewGuid().ToString("N"));
        var first = await store.WriteAsync("state", grain, [1, 2, 3], 0);
        var second = await store.WriteAsync("state", grain, [4, 5], first!.Value);

        Assert.Null(await store.WriteAsync("state", grain, [9], first.Value));
        Assert.False(await store.ClearAsync("state", grain, first.Value));

        var stored = await store.ReadAsync("state", grain);
        Assert.Equal([4, 5], stored!.Data);
        Assert.Equal(second, stored.ETag);
        Assert.True(await store.ClearAsync("state", grain, second!.Value));
        Assert.Null(await store.ReadAsync("state", grain));
    }
}
