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
public sealed class KeyCatalogState
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
/// becomes empty or non-empty. CreateKey and the end of a deletion pass through it one at a time.
/// </summary>
public sealed class KeyCatalogGrain(
    [PersistentState("catalog", KmsGrainOptionsDefaults.StorageName)] IPersistentState<KeyCatalogState> state)
    : Grain, IKeyCatalogGrain
{
    private List<string> Shards => state.State.Shards;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.KeyIds.Count > 0) await MoveIntoShardsAsync();
    }

    public async Task AddAsync(string keyId)
    {
        var shard = KeyCatalog.ShardOf(keyId);
        await Shard(shard).AddAsync([keyId]);
        if (SortedStrings.With(Shards, shard) is { } shards) await state.CommitAsync(new KeyCatalogState { Shards = shards });
    }

    public async Task RemoveAsync(string keyId)
    {
        var shard = KeyCatalog.ShardOf(keyId);
        if (await Shard(shard).RemoveAsync(keyId) > 0) return;
        if (SortedStrings.Without(Shards, shard) is { } shards) await state.CommitAsync(new KeyCatalogState { Shards = shards });
    }

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

    private async Task MoveIntoShardsAsync()
    {
        var shards = Shards;
        foreach (var group in state.State.KeyIds.GroupBy(KeyCatalog.ShardOf))
        {
            await Shard(group.Key).AddAsync(group.ToList());
            shards = SortedStrings.With(shards, group.Key) ?? shards;
        }

        await state.CommitAsync(new KeyCatalogState { Shards = shards });
    }

    private IKeyCatalogShardGrain Shard(string shard) =>
        GrainFactory.GetGrain<IKeyCatalogShardGrain>(KeyCatalog.ShardGrainKey(this.GetPrimaryKeyString(), shard));
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
    public async Task AddAsync(IReadOnlyList<string> keyIds)
    {
        var ids = state.State.KeyIds;
        foreach (var keyId in keyIds) ids = SortedStrings.With(ids, keyId) ?? ids;
        if (ids != state.State.KeyIds) await state.CommitAsync(new KeyCatalogShardState { KeyIds = ids });
    }

    public async Task<int> RemoveAsync(string keyId)
    {
        if (SortedStrings.Without(state.State.KeyIds, keyId) is { } ids) await state.CommitAsync(new KeyCatalogShardState { KeyIds = ids });
        return state.State.KeyIds.Count;
    }

    public Task<IReadOnlyList<string>> ListAsync(int limit, string? after)
    {
        var ids = state.State.KeyIds;
        var start = 0;
        if (after is not null)
        {
            var at = ids.BinarySearch(after, StringComparer.Ordinal);
            start = at >= 0 ? at + 1 : ~at;
        }

        return Task.FromResult<IReadOnlyList<string>>(ids.GetRange(start, Math.Max(Math.Min(limit, ids.Count - start), 0)));
    }
}

/// <summary>Sorted (ordinal) string lists changed by copy, so a state change commits all or nothing.</summary>
internal static class SortedStrings
{
    /// <summary>A copy of <paramref name="list"/> with <paramref name="item"/> inserted in order, or null if it is there.</summary>
    public static List<string>? With(List<string> list, string item)
    {
        var at = list.BinarySearch(item, StringComparer.Ordinal);
        if (at >= 0) return null;
        var copy = new List<string>(list.Count + 1);
        copy.AddRange(list);
        copy.Insert(~at, item);
        return copy;
    }

    /// <summary>A copy of <paramref name="list"/> without <paramref name="item"/>, or null if it is not there.</summary>
    public static List<string>? Without(List<string> list, string item)
    {
        var at = list.BinarySearch(item, StringComparer.Ordinal);
        if (at < 0) return null;
        var copy = new List<string>(list);
        copy.RemoveAt(at);
        return copy;
    }
}
