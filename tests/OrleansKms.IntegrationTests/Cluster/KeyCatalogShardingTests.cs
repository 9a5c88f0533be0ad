using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansKms.Grains;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// The key catalog behind ListKeys spreads key ids over shard grains by their first characters: pages still come in
/// key-id order across shards, emptied shards drop out, and a catalog stored before sharding moves into the shards.
/// </summary>
public sealed class KeyCatalogShardingTests(TwoSiloClusterFixture cluster) : IClassFixture<TwoSiloClusterFixture>
{
    private static IEnumerable<string> Ids(params string[] prefixes) =>
        prefixes.Select(p => p.StartsWith("mrk-", StringComparison.Ordinal)
            ? p + Guid.NewGuid().ToString("N")[(p.Length - 4)..]
            : p + Guid.NewGuid().ToString("D")[p.Length..]);

    private static string NewCatalogKey() => KeyCatalog.GrainKey(Random.Shared.NextInt64(100000000000, 999999999999).ToString(), "us-east-1");

    private static async Task<List<string>> ListAllAsync(IKeyCatalogGrain catalog, int limit)
    {
        var all = new List<string>();
        for (string? marker = null; ;)
        {
            var page = await catalog.ListAsync(limit, marker);
            Assert.True(page.KeyIds.Count <= limit);
            all.AddRange(page.KeyIds);
            if (page.NextMarker is null) return all;
            Assert.Equal(page.KeyIds[^1], page.NextMarker);
            marker = page.NextMarker;
        }
    }

    [Fact]
    public async Task Pages_of_every_size_list_every_key_once_in_key_id_order_across_shards()
    {
        var key = NewCatalogKey();
        var catalog = cluster.Silo(0).GetGrain<IKeyCatalogGrain>(key);
        var ids = Ids("00", "00", "0f", "3a", "3a", "3a", "3b", "9f", "a0", "ff", "ff", "mrk-00", "mrk-00", "mrk-ab", "mrk-ff").ToList();
        foreach (var id in ids) await catalog.AddAsync(id);
        await catalog.AddAsync(ids[3]); // again: no duplicate

        var expected = ids.Order(StringComparer.Ordinal).ToList();
        foreach (var limit in new[] { 1, 2, 3, 4, 7, 14, 15, 16, 1000 })
            Assert.Equal(expected, await ListAllAsync(catalog, limit));
        var shard = await cluster.Silo(1).GetGrain<IKeyCatalogShardGrain>(KeyCatalog.ShardGrainKey(key, "3a")).ListAsync(100, null);
        Assert.Equal(expected.Where(id => id.StartsWith("3a", StringComparison.Ordinal)), shard);
        var afterMarker = await catalog.ListAsync(3, expected[5]);
        Assert.Equal(expected.Skip(6).Take(3), afterMarker.KeyIds);
    }

    [Fact]
    public async Task Removing_the_last_key_of_a_shard_leaves_the_others_listed()
    {
        var catalog = cluster.Silo(1).GetGrain<IKeyCatalogGrain>(NewCatalogKey());
        var ids = Ids("12", "34", "34", "mrk-56").ToList();
        foreach (var id in ids) await catalog.AddAsync(id);

        await catalog.RemoveAsync(ids[0]);
        await catalog.RemoveAsync(ids[1]);
        await catalog.RemoveAsync(ids[1]);

        Assert.Equal(new[] { ids[2], ids[3] }, await ListAllAsync(catalog, 1));
        await catalog.RemoveAsync(ids[2]);
        await catalog.RemoveAsync(ids[3]);
        var empty = await catalog.ListAsync(100, null);
        Assert.Empty(empty.KeyIds);
        Assert.Null(empty.NextMarker);
    }

    [Fact]
    public async Task A_catalog_stored_before_sharding_is_moved_into_the_shards_and_keeps_listing_every_key()
    {
        var key = NewCatalogKey();
        var legacyIds = Ids("01", "01", "7c", "e4", "mrk-99").Order(StringComparer.Ordinal).ToList();
        var silo = cluster.Cluster.Silos[0].ServiceProvider;
        var catalog = silo.GetRequiredService<IGrainFactory>().GetGrain<IKeyCatalogGrain>(key);
        var storage = silo.GetRequiredKeyedService<IGrainStorage>(KmsGrainOptionsDefaults.StorageName);
        await storage.WriteStateAsync("catalog", catalog.GetGrainId(), new GrainState<KeyCatalogState>(new KeyCatalogState { KeyIds = legacyIds }));

        Assert.Equal(legacyIds, await ListAllAsync(catalog, 2));

        var stored = new GrainState<KeyCatalogState>(new KeyCatalogState());
        await storage.ReadStateAsync("catalog", catalog.GetGrainId(), stored);
        Assert.Empty(stored.State.KeyIds);
        Assert.Equal(["01", "7c", "e4", "mrk-99"], stored.State.Shards);
        var added = Ids("01").Single();
        await catalog.AddAsync(added);
        Assert.Equal(legacyIds.Append(added).Order(StringComparer.Ordinal), await ListAllAsync(catalog, 1000));
    }
}
