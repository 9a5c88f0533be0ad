namespace OrleansKms.Grains;

/// <summary>Grain keys of the catalogs, and the shard a key id belongs to.</summary>
public static class KeyCatalog
{
    public static string GrainKey(string accountId, string region) => $"{accountId}/{region}";

    public static string ShardGrainKey(string catalogKey, string shard) => $"{catalogKey}/{shard}";

    /// <summary>The shard grain that lists <paramref name="keyId"/> of an account and region.</summary>
    public static IKeyCatalogShardGrain ShardOf(IGrainFactory grains, string accountId, string region, string keyId) =>
        grains.GetGrain<IKeyCatalogShardGrain>(ShardGrainKey(GrainKey(accountId, region), ShardOf(keyId)));

    /// <summary>
    /// A key id's first three hex digits (<c>3fa</c>), after <c>mrk-</c> for a multi-Region key (<c>mrk-3fa</c>): 8192
    /// shards, so a shard's row holds about 250 ids (10 KB) at a million keys; each CreateKey writes its shard's row
    /// once or twice, whole. Every id of a shard starts with the shard's name, so shards in ordinal order list ids in
    /// ordinal order.
    /// </summary>
    public static string ShardOf(string keyId) =>
        keyId.StartsWith(KeyIds.MultiRegionPrefix, StringComparison.Ordinal) ? keyId[..(KeyIds.MultiRegionPrefix.Length + ShardDigits)] : keyId[..ShardDigits];

    /// <summary>Whether <paramref name="shard"/> is a shard of an earlier, shallower split (two hex digits), to be split again.</summary>
    public static bool IsShallow(string shard) =>
        (shard.StartsWith(KeyIds.MultiRegionPrefix, StringComparison.Ordinal) ? shard.Length - KeyIds.MultiRegionPrefix.Length : shard.Length) < ShardDigits;

    private const int ShardDigits = 3;
}

/// <summary>The catalog's stored state: which shards hold key ids.</summary>
[GenerateSerializer]
public sealed class KeyCatalogState : IShardedCatalogState
{
    /// <summary>
    /// Every key id, as catalogs stored them before they were sharded. Moved into the shards when such a catalog
    /// is next activated; always empty afterwards.
    /// </summary>
    [Id(0)] public List<string> KeyIds { get; set; } = [];

    /// <summary>The shards that hold at least one key id, in ordinal order.</summary>
    [Id(1)] public List<string> Shards { get; set; } = [];
}

/// <summary>
/// The list behind ListKeys for one account and region. Pages are in key-id order; the marker is the last key id
/// of the previous page, so a page is stable while keys are added or removed around it. The ids are spread over
/// shard grains (<see cref="KeyCatalog.ShardOf(string)"/>) so that no stored row outgrows a storage entity (960 KB in
/// Azure Table storage, about 24 000 key ids): a catalog holds millions of keys.
/// <para>
/// Key grains add their ids straight to the shards, so CreateKeys of one account do not queue here: this grain only
/// hears from a shard when it becomes non-empty (<see cref="ListShardAsync"/>, before the shard stores its first id)
/// or empty (<see cref="UnlistShardAsync"/>, after), and only writes then, grouping the changes that arrive during a
/// write into the next one. Every call interleaves.
/// </para>
/// </summary>
public sealed class KeyCatalogGrain(
    [PersistentState("catalog", KmsGrainOptionsDefaults.StorageName)] IPersistentState<KeyCatalogState> state)
    : ShardedCatalogGrain<KeyCatalogState, IKeyCatalogShardGrain>(state), IKeyCatalogGrain
{
    private readonly List<(string Shard, bool Listed, TaskCompletionSource Done)> _queue = [];

    private bool _draining;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await MoveIntoShardsAsync(Stored.KeyIds, KeyCatalog.ShardOf, (shard, ids) => shard.MoveInAsync(ids));
        foreach (var shallow in Shards.Where(KeyCatalog.IsShallow).ToList()) await SplitAsync(shallow);
    }

    /// <summary>
    /// Moves the ids of a shard of the earlier two-digit split into the three-digit shards: first into them, then the
    /// catalog's row lists them instead of the old shard (one write), then the old shard is emptied. Runs while the
    /// catalog activates, so no listing sees both; interrupted, it is simply done again at the next activation.
    /// </summary>
    private async Task SplitAsync(string shallow)
    {
        var ids = await Shard(shallow).ListAsync(int.MaxValue, null);
        var groups = ids.GroupBy(KeyCatalog.ShardOf).ToList();
        foreach (var group in groups) await Shard(group.Key).MoveInAsync([.. group]);
        await ChangeShardsAsync(groups.Select(g => (g.Key, true)).Append((shallow, false)));
        await Shard(shallow).ClearAsync();
    }

    public Task AddAsync(string keyId) => Shard(KeyCatalog.ShardOf(keyId)).AddAsync([keyId]);

    public Task RemoveAsync(string keyId) => Shard(KeyCatalog.ShardOf(keyId)).RemoveAsync(keyId);

    public Task ListShardAsync(string shard) => Shards.Contains(shard) && !_draining ? Task.CompletedTask : Enqueue(shard, listed: true);

    /// <summary>
    /// Unlists the shard if it still stores nothing: a shard that emptied and was filled again by the catalog's own
    /// move of unsharded ids (which does not go through <see cref="ListShardAsync"/>) stays listed.
    /// </summary>
    public async Task UnlistShardAsync(string shard)
    {
        if ((await Shard(shard).ListAsync(1, null)).Count == 0) await Enqueue(shard, listed: false);
    }

    /// <summary>
    /// Group commit of the catalog's row: the shard changes that arrive while it is being written are written together
    /// next (a new account's first keys list hundreds of shards at once), each answered once its write has landed.
    /// </summary>
    private Task Enqueue(string shard, bool listed)
    {
        var change = (shard, listed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Add(change);
        if (!_draining) _ = DrainAsync();
        return change.Item3.Task;
    }

    private async Task DrainAsync()
    {
        _draining = true;
        try
        {
            while (_queue.Count > 0)
            {
                var batch = _queue.ToList();
                _queue.Clear();
                try
                {
                    await ChangeShardsAsync(batch.Select(c => (c.Shard, c.Listed)));
                    foreach (var c in batch) c.Done.TrySetResult();
                }
                catch (Exception e)
                {
                    foreach (var c in batch) c.Done.TrySetException(e);
                }
            }
        }
        finally
        {
            _draining = false;
        }
    }

    /// <summary>Shards in ordinal order list ids in ordinal order: a page reads shards from the marker's on.</summary>
    public async Task<KeyListPage> ListAsync(int limit, string? marker)
    {
        var page = new List<string>(Math.Min(limit + 1, 1001));
        foreach (var shard in Shards)
        {
            if (marker is not null && IsBefore(shard, marker)) continue;
            page.AddRange(await Shard(shard).ListAsync(limit + 1 - page.Count, marker));
            if (page.Count > limit) break;
        }

        if (page.Count <= limit) return new KeyListPage(page, null);
        page.RemoveAt(limit);
        return new KeyListPage(page, page[^1]);
    }

    /// <summary>True when every id of the shard sorts before the marker: the shard is below the marker's same-length prefix.</summary>
    private static bool IsBefore(string shard, string marker) =>
        string.CompareOrdinal(shard, 0, marker, 0, shard.Length) < 0;
}
