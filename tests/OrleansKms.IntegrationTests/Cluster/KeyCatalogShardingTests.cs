using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Storage;
using OrleansKms.Grains;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// The key catalog behind ListKeys spreads key ids over shard grains by their first characters: pages still come in
/// key-id order across shards, emptied shards drop out, and a catalog stored before sharding moves into the shards.
/// Splitting a shard that has grown: <see cref="KeyCatalogSplitTests"/>.
/// </summary>
public sealed class KeyCatalogShardingTests(TwoSiloClusterFixture cluster) : IClassFixture<TwoSiloClusterFixture>
{
    private static IEnumerable<string> Ids(params string[] prefixes) =>
        prefixes.Select(p => p.StartsWith("mrk-", StringComparison.Ordinal)
            ? p + Guid.NewGuid().ToString("N")[(p.Length - 4)..]
            : p + Guid.NewGuid().ToString("D")[p.Length..]);

    private static string NewCatalogKey() => KeyCatalog.GrainKey(Random.Shared.NextInt64(100000000000, 999999999999).ToString(), "us-east-1");

    /// <summary>A new account's caller and catalog, and the ARN of a key to create in it.</summary>
    private (KmsCaller Caller, string CatalogKey, KeyArn Key) NewAccountAndKey()
    {
        var account = Random.Shared.NextInt64(100000000000, 999999999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (new KmsCaller(account, $"arn:aws:iam::{account}:root", "test"), KeyCatalog.GrainKey(account, cluster.Region), new KeyArn(cluster.Region, account, KeyIds.NewSingleRegion()));
    }

    private IGrainStorage Storage => cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(KmsGrainOptionsDefaults.StorageName);

    /// <summary>The shard's stored row once it holds no pending id; fails with <paramref name="failure"/> after 30 s.</summary>
    private async Task<KeyCatalogShardState> WaitUntilNothingIsPendingAsync(IKeyCatalogShardGrain shard, string failure)
    {
        var row = new GrainState<KeyCatalogShardState>(new KeyCatalogShardState());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        do
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
            await Storage.ReadStateAsync("catalog-shard", shard.GetGrainId(), row);
        }
        while (row.State.Pending.Count > 0);

        return row.State;
    }

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
        var name = KeyCatalog.RootOf(ids[3]);
        var shard = await cluster.Silo(1).GetGrain<IKeyCatalogShardGrain>(KeyCatalog.ShardGrainKey(key, name)).ListAsync(100, null);
        Assert.Equal(expected.Where(id => id.StartsWith(name, StringComparison.Ordinal)), shard);
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
        Assert.Equal(legacyIds.Select(KeyCatalog.RootOf).Distinct().Order(StringComparer.Ordinal), stored.State.Shards);
        var added = Ids("01").Single();
        await catalog.AddAsync(added);
        Assert.Equal(legacyIds.Append(added).Order(StringComparer.Ordinal), await ListAllAsync(catalog, 1000));
    }

    [Fact]
    public async Task Concurrent_adds_to_one_shard_are_each_stored_before_they_are_acknowledged()
    {
        var key = NewCatalogKey();
        var catalog = cluster.Silo(0).GetGrain<IKeyCatalogGrain>(key);
        var ids = Ids(Enumerable.Repeat("7d0", 60).Concat(Enumerable.Repeat("mrk-7d0", 20)).ToArray()).ToList();

        await Task.WhenAll(ids.Select((id, i) => i % 2 == 0
            ? catalog.AddAsync(id)
            : cluster.Silo(1).GetGrain<IKeyCatalogShardGrain>(KeyCatalog.ShardGrainKey(key, KeyCatalog.RootOf(id))).AddAsync([id])));

        var storage = Storage;
        var stored = new List<string>();
        foreach (var shard in new[] { "7", "mrk-7" })
        {
            var row = new GrainState<KeyCatalogShardState>(new KeyCatalogShardState());
            await storage.ReadStateAsync("catalog-shard", cluster.Silo(0).GetGrain<IKeyCatalogShardGrain>(KeyCatalog.ShardGrainKey(key, shard)).GetGrainId(), row);
            stored.AddRange(row.State.KeyIds);
        }

        var expected = ids.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, stored);
        Assert.Equal(expected, await ListAllAsync(catalog, 1000));
    }

    [Fact]
    public async Task A_shard_emptied_while_keys_are_added_to_it_stays_listed_with_them()
    {
        var catalog = cluster.Silo(0).GetGrain<IKeyCatalogGrain>(NewCatalogKey());
        var first = Ids("5e").Single();
        await catalog.AddAsync(first);
        var later = Ids("5e", "5e", "5e").ToList();

        await Task.WhenAll(later.Select(catalog.AddAsync).Prepend(catalog.RemoveAsync(first)));
        await catalog.RemoveAsync(first);

        Assert.Equal(later.Order(StringComparer.Ordinal), await ListAllAsync(catalog, 2));
        foreach (var id in later) await catalog.RemoveAsync(id);
        Assert.Empty((await catalog.ListAsync(10, null)).KeyIds);
        await catalog.AddAsync(first);
        Assert.Equal([first], await ListAllAsync(catalog, 10));
    }

    /// <summary>
    /// A catalog spread over every shard, paged 1 000 at a time (ListKeys' largest page) while keys are added and
    /// removed between pages: each page follows the marker, no key is listed twice, keys added after the marker are
    /// listed, keys removed after it are not, and everything else is listed once.
    /// </summary>
    [Fact]
    public async Task Paging_a_catalog_across_every_shard_is_stable_while_keys_come_and_go()
    {
        var catalog = cluster.Silo(1).GetGrain<IKeyCatalogGrain>(NewCatalogKey());
        var ids = Enumerable.Range(0, 3000).Select(_ => KeyIds.NewSingleRegion()).Concat(Enumerable.Range(0, 300).Select(_ => KeyIds.NewMultiRegion())).ToList();
        await Task.WhenAll(ids.Chunk(100).Select(async chunk => { foreach (var id in chunk) await catalog.AddAsync(id); }));
        var present = new SortedSet<string>(ids, StringComparer.Ordinal);
        var mustList = new HashSet<string>(ids, StringComparer.Ordinal);

        var seen = new List<string>();
        string? marker = null;
        while (true)
        {
            var page = await catalog.ListAsync(1000, marker);
            Assert.All(page.KeyIds, id => Assert.True(marker is null || string.CompareOrdinal(id, marker) > 0));
            seen.AddRange(page.KeyIds);
            if (page.NextMarker is null) break;
            Assert.Equal(1000, page.KeyIds.Count);
            Assert.Equal(page.KeyIds[^1], page.NextMarker);
            marker = page.NextMarker;

            // Between pages: the next key after the marker and the last one before it are removed, and a new key added.
            var after = present.GetViewBetween(marker + "\0", "\uffff").First();
            var before = present.GetViewBetween("", marker).Last();
            foreach (var removed in new[] { after, before })
            {
                await catalog.RemoveAsync(removed);
                present.Remove(removed);
            }

            mustList.Remove(after);
            var added = KeyIds.NewSingleRegion();
            await catalog.AddAsync(added);
            present.Add(added);
            if (string.CompareOrdinal(added, marker) > 0) mustList.Add(added);
        }

        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.Equal(mustList.Order(StringComparer.Ordinal), seen);
    }

    /// <summary>
    /// CreateKey's catalog entry is pending until the key's row exists: listed from then on and confirmed by the shard's
    /// sweep; an entry whose key never appears (a CreateKey that died between its two writes) is never listed, and is
    /// dropped once abandoned.
    /// </summary>
    [Fact]
    public async Task A_pending_entry_is_listed_once_its_key_exists_and_an_abandoned_one_never_is()
    {
        var (caller, catalogKey, created) = NewAccountAndKey();
        var ghost = Ids(KeyCatalog.RootOf(created.KeyId)).Single();
        var shard = cluster.Silo(1).GetGrain<IKeyCatalogShardGrain>(KeyCatalog.ShardGrainKey(catalogKey, KeyCatalog.RootOf(created.KeyId)));
        await shard.AddPendingAsync(ghost);

        await cluster.Silo(0).GetGrain<IKeyGrain>(created.Value).CreateAsync(new CreateKeyCommand { Caller = caller });

        var catalog = cluster.Silo(0).GetGrain<IKeyCatalogGrain>(catalogKey);
        Assert.Equal([created.KeyId], await ListAllAsync(catalog, 1000));
        cluster.Time.Advance(KeyCatalogShardGrain.AbandonedAfter + TimeSpan.FromMinutes(1));
        var row = await WaitUntilNothingIsPendingAsync(shard, "The shard's sweep did not confirm and drop its pending entries within 30 s.");
        Assert.Equal([created.KeyId], row.KeyIds);
        Assert.Equal([created.KeyId], await ListAllAsync(catalog, 1000));
    }

    /// <summary>
    /// Idle shards are collected after the key grains' collection age (their ids as strings left the silo's memory):
    /// an activation that comes back lists the same keys and settles the pending entries its predecessor left.
    /// </summary>
    [Fact]
    public async Task A_shard_collected_while_idle_lists_its_keys_and_settles_its_pending_entries_when_it_comes_back()
    {
        var (caller, catalogKey, created) = NewAccountAndKey();
        var root = KeyCatalog.RootOf(created.KeyId);
        var shard = cluster.Silo(1).GetGrain<IKeyCatalogShardGrain>(KeyCatalog.ShardGrainKey(catalogKey, root));
        var ghost = Ids(root).Single();
        await shard.AddPendingAsync(ghost);
        await cluster.Silo(0).GetGrain<IKeyGrain>(created.Value).CreateAsync(new CreateKeyCommand { Caller = caller });
        cluster.Time.Advance(KeyCatalogShardGrain.AbandonedAfter + TimeSpan.FromMinutes(1));

        await shard.Cast<IGrainManagementExtension>().DeactivateOnIdle();

        var catalog = cluster.Silo(0).GetGrain<IKeyCatalogGrain>(catalogKey);
        Assert.Equal([created.KeyId], await ListAllAsync(catalog, 1000));
        var row = await WaitUntilNothingIsPendingAsync(shard, "The shard's new activation did not settle its pending entries within 30 s.");
        Assert.Equal([created.KeyId], row.KeyIds);
        Assert.Equal([created.KeyId], await ListAllAsync(catalog, 1000));
    }

    /// <summary>
    /// While CreateKeys keep coming, a shard that has nothing more to store does not confirm its pending id in a write
    /// of its own at the next tick (its next CreateKey's write would do it for free), but it does once the id is
    /// <see cref="KeyCatalogShardGrain.ConfirmUnderLoadAfter"/> old, even though the CreateKeys never stop.
    /// </summary>
    [Fact]
    public async Task Under_a_steady_stream_of_CreateKeys_a_quiet_shard_confirms_its_pending_id_after_a_minute_not_at_the_next_tick()
    {
        var (caller, catalogKey, created) = NewAccountAndKey();
        var shard = cluster.Silo(1).GetGrain<IKeyCatalogShardGrain>(KeyCatalog.ShardGrainKey(catalogKey, KeyCatalog.RootOf(created.KeyId)));
        await cluster.Silo(0).GetGrain<IKeyGrain>(created.Value).CreateAsync(new CreateKeyCommand { Caller = caller });
        var row = new GrainState<KeyCatalogShardState>(new KeyCatalogShardState());

        // The stream: pending ids (of keys that never appear) stored every 250 ms in the 16 first-digit shards of
        // another catalog, spread over both silos.
        var elsewhere = NewCatalogKey();
        using var stop = new CancellationTokenSource();
        var stored = 0;
        var stream = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.WhenAll(KeyCatalog.ChildrenOf("").Select(root =>
                    cluster.Silo(0).GetGrain<IKeyCatalogShardGrain>(KeyCatalog.ShardGrainKey(elsewhere, root)).AddPendingAsync(Ids(root).Single())));
                Interlocked.Increment(ref stored);
                await Task.Delay(250);
            }
        });
        try
        {
            // Three sweep ticks (2 s each) under the stream: the id stays pending, and is listed all along.
            var ticks = DateTime.UtcNow + 3 * KeyCatalogShardGrain.SweepPeriod + TimeSpan.FromSeconds(1);
            while (DateTime.UtcNow < ticks)
            {
                await Task.Delay(250);
                await Storage.ReadStateAsync("catalog-shard", shard.GetGrainId(), row);
                Assert.Equal([created.KeyId], row.State.Pending.Select(p => p.KeyId));
            }

            Assert.True(Volatile.Read(ref stored) > 10, $"The stream stored pending ids only {stored} times.");
            Assert.Equal([created.KeyId], await ListAllAsync(cluster.Silo(0).GetGrain<IKeyCatalogGrain>(catalogKey), 1000));

            // A minute later by the service's clock, still under the stream: confirmed in a write of its own.
            cluster.Time.Advance(KeyCatalogShardGrain.ConfirmUnderLoadAfter);
            var confirmed = await WaitUntilNothingIsPendingAsync(shard, "The shard did not confirm its pending id within 30 s of its being a minute old.");
            Assert.False(stream.IsCompleted, "The stream of CreateKeys stopped before the shard confirmed.");
            Assert.Equal([created.KeyId], confirmed.KeyIds);
        }
        finally
        {
            stop.Cancel();
            await stream;
        }
    }
}
