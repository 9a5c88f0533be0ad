using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansKms.Grains;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// The alias catalog behind ListAliases spreads aliases over shard grains by a hash of their names: pages still come
/// in name order (with and without a key filter), emptied shards drop out, and a catalog stored before sharding
/// moves into the shards.
/// </summary>
public sealed class AliasCatalogShardingTests(TwoSiloClusterFixture cluster) : IClassFixture<TwoSiloClusterFixture>
{
    private static readonly DateTimeOffset When = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    private static string NewCatalogKey() => KeyCatalog.GrainKey(Random.Shared.NextInt64(100000000000, 999999999999).ToString(), "us-east-1");

    private static List<AliasEntry> Entries(int count, params string[] keys) =>
        Enumerable.Range(0, count).Select(i => new AliasEntry($"alias/app-{i:D3}", keys[i % keys.Length], When, When)).ToList();

    private static async Task<List<AliasEntry>> ListAllAsync(IAliasCatalogGrain catalog, int limit, string? keyId = null)
    {
        var all = new List<AliasEntry>();
        for (string? marker = null; ;)
        {
            var page = await catalog.ListAsync(keyId, limit, marker);
            Assert.True(page.Aliases.Count <= limit);
            all.AddRange(page.Aliases);
            if (page.NextMarker is null) return all;
            Assert.Equal(page.Aliases[^1].AliasName, page.NextMarker);
            marker = page.NextMarker;
        }
    }

    [Fact]
    public async Task Pages_list_every_alias_once_in_name_order_across_shards_with_and_without_a_key_filter()
    {
        var catalog = cluster.Silo(0).GetGrain<IAliasCatalogGrain>(NewCatalogKey());
        var entries = Entries(40, "key-a", "key-b", "key-c");
        foreach (var entry in entries.AsEnumerable().Reverse()) await catalog.PutAsync(entry);

        Assert.True(entries.Select(e => AliasCatalog.ShardOf(e.AliasName)).Distinct().Count() > 10, "the names should spread over many shards");
        foreach (var limit in new[] { 1, 3, 7, 39, 40, 41, 100 })
            Assert.Equal(entries, await ListAllAsync(catalog, limit));
        Assert.Equal(entries.Where(e => e.TargetKeyId == "key-b"), await ListAllAsync(catalog, 4, "key-b"));
        Assert.Empty(await ListAllAsync(catalog, 4, "key-z"));

        var moved = entries[7] with { TargetKeyId = "key-z", LastUpdatedDate = When.AddDays(1) };
        await catalog.PutAsync(moved);
        Assert.Equal([moved], await ListAllAsync(catalog, 10, "key-z"));
        Assert.Equal(40, (await ListAllAsync(catalog, 1000)).Count);
    }

    [Fact]
    public async Task Removing_every_alias_leaves_an_empty_catalog()
    {
        var catalog = cluster.Silo(1).GetGrain<IAliasCatalogGrain>(NewCatalogKey());
        var entries = Entries(12, "key-a");
        foreach (var entry in entries) await catalog.PutAsync(entry);

        foreach (var entry in entries.Take(11)) await catalog.RemoveAsync(entry.AliasName);
        await catalog.RemoveAsync(entries[0].AliasName);

        Assert.Equal([entries[11]], await ListAllAsync(catalog, 5));
        await catalog.RemoveAsync(entries[11].AliasName);
        var empty = await catalog.ListAsync(null, 100, null);
        Assert.Empty(empty.Aliases);
        Assert.Null(empty.NextMarker);
    }

    [Fact]
    public async Task A_catalog_stored_before_sharding_is_moved_into_the_shards_and_keeps_listing_every_alias()
    {
        var legacy = Entries(9, "key-a", "key-b");
        var silo = cluster.Cluster.Silos[0].ServiceProvider;
        var catalog = silo.GetRequiredService<IGrainFactory>().GetGrain<IAliasCatalogGrain>(NewCatalogKey());
        var storage = silo.GetRequiredKeyedService<IGrainStorage>(KmsGrainOptionsDefaults.StorageName);
        await storage.WriteStateAsync("aliases", catalog.GetGrainId(), new GrainState<AliasCatalogState>(new AliasCatalogState { Aliases = legacy }));

        Assert.Equal(legacy, await ListAllAsync(catalog, 2));

        var stored = new GrainState<AliasCatalogState>(new AliasCatalogState());
        await storage.ReadStateAsync("aliases", catalog.GetGrainId(), stored);
        Assert.Empty(stored.State.Aliases);
        Assert.Equal(legacy.Select(e => AliasCatalog.ShardOf(e.AliasName)).Distinct().Order(StringComparer.Ordinal), stored.State.Shards);
        await catalog.RemoveAsync(legacy[0].AliasName);
        Assert.Equal(legacy.Skip(1), await ListAllAsync(catalog, 1000));
    }
}
