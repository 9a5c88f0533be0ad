namespace OrleansKms.Grains;

/// <summary>Grain keys of the catalogs, and the shard a key id belongs to.</summary>
public static class KeyCatalog
{
    public static string GrainKey(string accountId, string region) => $"{accountId}/{region}";

    public static string ShardGrainKey(string catalogKey, string shard) => $"{catalogKey}/{shard}";

    /// <summary>
    /// A key id's first two hex digits (<c>3f</c>), after <c>mrk-</c> for a multi-Region key (<c>mrk-3f</c>): 512
    /// shards. Every id of a shard starts with the shard's name, so shards in ordinal order list ids in ordinal order.
    /// </summary>
    public static string ShardOf(string keyId) =>
        keyId.StartsWith(KeyIds.MultiRegionPrefix, StringComparison.Ordinal) ? keyId[..(KeyIds.MultiRegionPrefix.Length + 2)] : keyId[..2];
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
/// shard grains (<see cref="KeyCatalog.ShardOf"/>) so that no stored row outgrows a storage entity (960 KB in Azure
/// Table storage, about 24 000 key ids): a catalog holds millions of keys. This grain only writes when a shard
/// becomes empty or non-empty.
/// </summary>
public sealed class KeyCatalogGrain(
    [PersistentState("catalog", KmsGrainOptionsDefaults.StorageName)] IPersistentState<KeyCatalogState> state)
    : ShardedCatalogGrain<KeyCatalogState, IKeyCatalogShardGrain>(state), IKeyCatalogGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        MoveIntoShardsAsync(Stored.KeyIds, KeyCatalog.ShardOf, (shard, ids) => shard.AddAsync(ids));

    public Task AddAsync(string keyId) => AddThroughAsync(KeyCatalog.ShardOf(keyId), shard => shard.AddAsync([keyId]));

    public Task RemoveAsync(string keyId) => RemoveThroughAsync(KeyCatalog.ShardOf(keyId), shard => shard.RemoveAsync(keyId));

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

/// <summary>The stored key ids of one catalog shard, sorted.</summary>
[GenerateSerializer]
public sealed class KeyCatalogShardState
{
    [Id(0)] public List<string> KeyIds { get; set; } = [];
}

/// <summary>One shard of a <see cref="KeyCatalogGrain"/>: a sorted list of key ids, written whole on each change.</summary>
public sealed class KeyCatalogShardGrain(
    [PersistentState("catalog-shard", KmsGrainOptionsDefaults.StorageName)] IPersistentState<KeyCatalogShardState> state)
    : Grain, IKeyCatalogShardGrain
{
    private static string Id(string keyId) => keyId;

    public async Task AddAsync(IReadOnlyList<string> keyIds)
    {
        var ids = state.State.KeyIds;
        foreach (var keyId in keyIds) ids = SortedList.With(ids, keyId, Id) ?? ids;
        if (ids != state.State.KeyIds) await state.CommitAsync(new KeyCatalogShardState { KeyIds = ids });
    }

    public async Task<int> RemoveAsync(string keyId)
    {
        if (SortedList.Without(state.State.KeyIds, keyId, Id) is { } ids) await state.CommitAsync(new KeyCatalogShardState { KeyIds = ids });
        return state.State.KeyIds.Count;
    }

    public Task<IReadOnlyList<string>> ListAsync(int limit, string? after)
    {
        var ids = state.State.KeyIds;
        var start = SortedList.IndexAfter(ids, after, Id);
        return Task.FromResult<IReadOnlyList<string>>(ids.GetRange(start, Math.Max(Math.Min(limit, ids.Count - start), 0)));
    }
}
