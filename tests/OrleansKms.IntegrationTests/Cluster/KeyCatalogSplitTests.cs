using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansKms.Grains;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// A catalog starts with one shard per first hex digit; a shard that grows past <see cref="KeyCatalog.SplitAbove"/>
/// ids splits into the shards of the next digit. Listing stays complete and in order across the split (also for a
/// page that began before it), a split interrupted at either step is finished or redone, and catalogs stored by the
/// fixed two- and three-digit splits keep their shards.
/// </summary>
public sealed class KeyCatalogSplitTests(TwoSiloClusterFixture cluster) : IClassFixture<TwoSiloClusterFixture>
{
    private IGrainFactory Grains => cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();

    private IGrainStorage Storage => cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(KmsGrainOptionsDefaults.StorageName);

    private static List<string> Ids(string prefix, int count) =>
        Enumerable.Range(0, count).Select(_ => prefix.StartsWith("mrk-", StringComparison.Ordinal)
            ? prefix + Guid.NewGuid().ToString("N")[(prefix.Length - 4)..]
            : prefix + Guid.NewGuid().ToString("D")[prefix.Length..]).ToList();

    private static string NewCatalogKey() => KeyCatalog.GrainKey(Random.Shared.NextInt64(100000000000, 999999999999).ToString(), "us-east-1");

    private static List<string> Sorted(IEnumerable<string> ids) => [.. ids.Order(StringComparer.Ordinal)];

    private static async Task<List<string>> ListAllAsync(IKeyCatalogGrain catalog, int limit)
    {
        var all = new List<string>();
        for (string? marker = null; ;)
        {
            var page = await catalog.ListAsync(limit, marker);
            Assert.True(page.KeyIds.Count <= limit);
            all.AddRange(page.KeyIds);
            if (page.NextMarker is null) return all;
            marker = page.NextMarker;
        }
    }

    private IKeyCatalogShardGrain ShardGrain(string catalogKey, string shard) => Grains.GetGrain<IKeyCatalogShardGrain>(KeyCatalog.ShardGrainKey(catalogKey, shard));

    private async Task<KeyCatalogShardState> ShardRowAsync(string catalogKey, string shard)
    {
        var row = new GrainState<KeyCatalogShardState>(new KeyCatalogShardState());
        await Storage.ReadStateAsync("catalog-shard", ShardGrain(catalogKey, shard).GetGrainId(), row);
        return row.State ?? new KeyCatalogShardState();
    }

    private async Task<KeyCatalogState> CatalogRowAsync(string catalogKey)
    {
        var row = new GrainState<KeyCatalogState>(new KeyCatalogState());
        await Storage.ReadStateAsync("catalog", Grains.GetGrain<IKeyCatalogGrain>(catalogKey).GetGrainId(), row);
        return row.State!;
    }

    private Task WriteShardRowAsync(string catalogKey, string shard, KeyCatalogShardState row) =>
        Storage.WriteStateAsync("catalog-shard", ShardGrain(catalogKey, shard).GetGrainId(), new GrainState<KeyCatalogShardState>(row));

    private Task WriteCatalogRowAsync(string catalogKey, KeyCatalogState row) =>
        Storage.WriteStateAsync("catalog", Grains.GetGrain<IKeyCatalogGrain>(catalogKey).GetGrainId(), new GrainState<KeyCatalogState>(row));

    /// <summary>Adds 16 ids at a time, half through the catalog on one silo and half to the first-digit shard on the other.</summary>
    private async Task AddAsync(string catalogKey, IEnumerable<string> ids)
    {
        var catalog = cluster.Silo(0).GetGrain<IKeyCatalogGrain>(catalogKey);
        await Task.WhenAll(ids.Chunk(Math.Max(1, ids.Count() / 16)).Select(async (chunk, n) =>
        {
            foreach (var id in chunk)
            {
                if (n % 2 == 0) await catalog.AddAsync(id);
                else await cluster.Silo(1).GetGrain<IKeyCatalogShardGrain>(KeyCatalog.ShardGrainKey(catalogKey, KeyCatalog.RootOf(id))).AddAsync([id]);
            }
        }));
    }

    [Fact]
    public async Task A_shard_that_grows_past_the_threshold_splits_and_every_key_stays_listed_once_in_order()
    {
        var key = NewCatalogKey();
        var catalog = cluster.Silo(1).GetGrain<IKeyCatalogGrain>(key);
        var threes = Ids("3", KeyCatalog.SplitAbove + 90);
        var others = Ids("a", 20).Concat(Ids("mrk-3", 10)).ToList();

        await AddAsync(key, threes.Concat(others));
        var last = Ids("3", 1).Single(); // answered only once a split in progress is done
        await catalog.AddAsync(last);
        threes.Add(last);

        var expected = Sorted(threes.Concat(others));
        foreach (var limit in new[] { 7, 100, 1000 }) Assert.Equal(expected, await ListAllAsync(catalog, limit));
        var row = await CatalogRowAsync(key);
        Assert.Equal(["3"], row.Split);
        Assert.Equal(Sorted(threes.Select(id => id[..2]).Distinct().Append("a").Append("mrk-3")), row.Shards);
        var parent = await ShardRowAsync(key, "3");
        Assert.True(parent.Split);
        Assert.Empty(parent.KeyIds);
        foreach (var child in KeyCatalog.ChildrenOf("3"))
            Assert.Equal(Sorted(threes.Where(id => id.StartsWith(child, StringComparison.Ordinal))), (await ShardRowAsync(key, child)).KeyIds);

        var removed = threes[5];
        await catalog.RemoveAsync(removed);
        var added = Ids("3", 1).Single();
        await catalog.AddAsync(added);
        Assert.Equal(Sorted(expected.Where(id => id != removed).Append(added)), await ListAllAsync(catalog, 50));
        Assert.Contains(added, (await ShardRowAsync(key, added[..2])).KeyIds);
        Assert.DoesNotContain(removed, (await ShardRowAsync(key, removed[..2])).KeyIds);
    }

    /// <summary>A listing that read the catalog's row before a split, and pages whose marker came from before it, miss nothing and repeat nothing.</summary>
    [Fact]
    public async Task Pages_read_across_a_split_follow_their_marker_with_none_missing_or_twice()
    {
        var key = NewCatalogKey();
        var catalog = cluster.Silo(0).GetGrain<IKeyCatalogGrain>(key);
        var before = Ids("5", KeyCatalog.SplitAbove - 12);
        await AddAsync(key, before);
        var first = await catalog.ListAsync(100, null);
        Assert.Equal(Sorted(before).Take(100), first.KeyIds);

        var during = Ids("5", 100);
        var adding = AddAsync(key, during);
        var listings = Enumerable.Range(0, 4).Select(_ => ListAllAsync(catalog, 30)).ToList();
        await adding;
        await catalog.AddAsync(Ids("5", 1).Single()); // answered only once a split in progress is done
        foreach (var listing in listings)
        {
            var seen = await listing;
            Assert.Equal(Sorted(seen).Distinct(), seen);
            Assert.Empty(before.Except(seen));
        }

        var rest = new List<string>();
        for (var marker = first.NextMarker; marker is not null;)
        {
            var page = await catalog.ListAsync(100, marker);
            rest.AddRange(page.KeyIds);
            marker = page.NextMarker;
        }

        var all = await ListAllAsync(catalog, 1000);
        Assert.Equal(all.Where(id => string.CompareOrdinal(id, first.NextMarker) > 0), rest);
        Assert.Equal(Sorted(before.Concat(during)), all.Where(id => before.Contains(id) || during.Contains(id)));
        Assert.Contains("5", (await CatalogRowAsync(key)).Split);
    }

    /// <summary>
    /// A crash after the children were written but before the catalog recorded the split leaves the shard whole and its
    /// children unused: they list nothing, and the next split replaces what they held (here an id removed since).
    /// </summary>
    [Fact]
    public async Task A_split_interrupted_before_the_catalog_recorded_it_lists_nothing_twice_and_is_done_again()
    {
        var key = NewCatalogKey();
        var ids = Ids("9", KeyCatalog.SplitAbove - 4);
        var stale = Ids("9a", 1).Single();
        await WriteShardRowAsync(key, "9", new KeyCatalogShardState { KeyIds = Sorted(ids) });
        await WriteShardRowAsync(key, "9a", new KeyCatalogShardState { KeyIds = Sorted(ids.Where(id => id.StartsWith("9a", StringComparison.Ordinal)).Append(stale)) });
        await WriteCatalogRowAsync(key, new KeyCatalogState { Shards = ["9"] });
        var catalog = cluster.Silo(0).GetGrain<IKeyCatalogGrain>(key);

        Assert.Equal(Sorted(ids), await ListAllAsync(catalog, 100));
        var more = Ids("9", 20);
        await AddAsync(key, more);
        await catalog.AddAsync(more[0]);

        Assert.Equal(Sorted(ids.Concat(more)), await ListAllAsync(catalog, 100));
        Assert.Equal(["9"], (await CatalogRowAsync(key)).Split);
        Assert.DoesNotContain(stale, (await ShardRowAsync(key, "9a")).KeyIds);
    }

    /// <summary>
    /// A crash after the catalog recorded the split but before the shard stored itself empty: the catalog lists the
    /// children; the shard learns it is split before its next write, empties its row and hands the change on.
    /// </summary>
    [Fact]
    public async Task A_split_interrupted_after_the_catalog_recorded_it_is_completed_by_the_shard()
    {
        var key = NewCatalogKey();
        var ids = Ids("mrk-c", KeyCatalog.SplitAbove + 1);
        await WriteShardRowAsync(key, "mrk-c", new KeyCatalogShardState { KeyIds = Sorted(ids) });
        var children = ids.GroupBy(id => id[..6]).ToList();
        foreach (var child in children) await WriteShardRowAsync(key, child.Key, new KeyCatalogShardState { KeyIds = Sorted(child) });
        await WriteCatalogRowAsync(key, new KeyCatalogState { Shards = Sorted(children.Select(c => c.Key)), Split = ["mrk-c"] });
        var catalog = cluster.Silo(1).GetGrain<IKeyCatalogGrain>(key);

        Assert.Equal(Sorted(ids), await ListAllAsync(catalog, 100));
        await catalog.RemoveAsync(ids[0]);
        var added = Ids("mrk-c", 1).Single();
        await catalog.AddAsync(added);

        Assert.Equal(Sorted(ids.Skip(1).Append(added)), await ListAllAsync(catalog, 100));
        var parent = await ShardRowAsync(key, "mrk-c");
        Assert.True(parent.Split);
        Assert.Empty(parent.KeyIds);
        Assert.DoesNotContain(ids[0], (await ShardRowAsync(key, ids[0][..6])).KeyIds);
        Assert.Contains(added, (await ShardRowAsync(key, added[..6])).KeyIds);
    }

    /// <summary>
    /// The fixed splits of earlier versions (two hex digits, then three, with the two-digit shard stored empty): their
    /// shards stay as they are, their prefixes count as split, and new ids go to the deepest shard of their prefix.
    /// </summary>
    [Fact]
    public async Task Catalogs_stored_by_the_fixed_two_and_three_digit_splits_keep_their_shards()
    {
        var key = NewCatalogKey();
        var shards = new Dictionary<string, List<string>> { ["3fa"] = Ids("3fa", 3), ["3fb"] = Ids("3fb", 2), ["c0"] = Ids("c0", 4), ["mrk-5e0"] = Ids("mrk-5e0", 2) };
        foreach (var (shard, ids) in shards) await WriteShardRowAsync(key, shard, new KeyCatalogShardState { KeyIds = Sorted(ids) });
        await WriteShardRowAsync(key, "3f", new KeyCatalogShardState());
        await WriteCatalogRowAsync(key, new KeyCatalogState { Shards = Sorted(shards.Keys) });
        var catalog = cluster.Silo(0).GetGrain<IKeyCatalogGrain>(key);
        var stored = shards.Values.SelectMany(ids => ids).ToList();

        Assert.Equal(Sorted(stored), await ListAllAsync(catalog, 2));
        var row = await CatalogRowAsync(key);
        Assert.Equal(["3", "3f", "c", "mrk-5", "mrk-5e"], row.Split);
        Assert.Equal(Sorted(shards.Keys), row.Shards);

        var added = new[] { Ids("3fa", 1)[0], Ids("30", 1)[0], Ids("c0", 1)[0], Ids("mrk-5e0", 1)[0], Ids("mrk-7", 1)[0] };
        await AddAsync(key, added);

        Assert.Equal(Sorted(stored.Concat(added)), await ListAllAsync(catalog, 3));
        Assert.Contains(added[0], (await ShardRowAsync(key, "3fa")).KeyIds);
        Assert.Contains(added[1], (await ShardRowAsync(key, "30")).KeyIds);
        Assert.Contains(added[2], (await ShardRowAsync(key, "c0")).KeyIds);
        Assert.Equal(Sorted(shards.Keys.Append("30").Append("mrk-7")), (await CatalogRowAsync(key)).Shards);
    }
}
