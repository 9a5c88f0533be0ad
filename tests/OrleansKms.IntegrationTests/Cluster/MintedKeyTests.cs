using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansKms.Grains;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// CreateKey of a freshly minted id skips reading the key's rows (they cannot exist). If the hint were ever wrong, the
/// key's first write is an insert, which fails: an existing key is never overwritten.
/// </summary>
public sealed class MintedKeyTests(TwoSiloClusterFixture cluster) : IClassFixture<TwoSiloClusterFixture>
{
    [Fact]
    public async Task A_minted_key_is_created_listed_and_readable_after_it_is_activated_again()
    {
        var arn = new KeyArn(cluster.Region, cluster.Caller.AccountId, KeyIds.NewSingleRegion());
        var created = await cluster.Silo(0).GetGrain<IKeyGrain>(arn.Value).CreateMintedAsync(new CreateKeyCommand { Caller = cluster.Caller, Description = "minted" });

        Assert.Equal(arn.KeyId, created.KeyId);
        await cluster.Silo(0).GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var described = await cluster.Silo(1).GetGrain<IKeyGrain>(arn.Value).DescribeAsync(cluster.Caller);
        Assert.Equal("minted", described.Description);
        Assert.Equal(KeyStateKind.Enabled, described.KeyState);
    }

    [Fact]
    public async Task A_minted_id_whose_row_exists_fails_and_leaves_the_stored_key_as_it_was()
    {
        var arn = new KeyArn(cluster.Region, cluster.Caller.AccountId, KeyIds.NewSingleRegion());
        var silo = cluster.Cluster.Silos[0].ServiceProvider;
        var key = silo.GetRequiredService<IGrainFactory>().GetGrain<IKeyGrain>(arn.Value);
        await key.CreateAsync(new CreateKeyCommand { Caller = cluster.Caller, Description = "first" });
        await silo.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => key.CreateMintedAsync(new CreateKeyCommand { Caller = cluster.Caller, Description = "second" }));

        Assert.Contains("ETag", refused.ToString(), StringComparison.OrdinalIgnoreCase);
        var stored = new GrainState<StoredKey>(new StoredKey());
        await silo.GetRequiredKeyedService<IGrainStorage>(KmsGrainOptionsDefaults.StorageName).ReadStateAsync("key", key.GetGrainId(), stored);
        Assert.Equal("first", stored.State!.Description);
        Assert.Equal("first", (await cluster.Silo(1).GetGrain<IKeyGrain>(arn.Value).DescribeAsync(cluster.Caller)).Description);
    }
}
