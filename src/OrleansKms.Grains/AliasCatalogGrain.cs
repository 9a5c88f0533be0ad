namespace OrleansKms.Grains;

/// <summary>The shard an alias name belongs to.</summary>
public static class AliasCatalog
{
    public const int ShardCount = 64;

    /// <summary>FNV-1a of the name, modulo <see cref="ShardCount"/>, as two hex digits: stable across processes and versions.</summary>
    public static string ShardOf(string aliasName)
    {
        var hash = 2166136261u;
        foreach (var c in aliasName)
        {
            hash ^= c;
            hash *= 16777619u;
        }

        return (hash % ShardCount).ToString("x2", System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The alias catalog's stored state: which shards hold aliases.</summary>
[GenerateSerializer]
public sealed class AliasCatalogState : IShardedCatalogState
{
    /// <summary>
    /// Every alias, as catalogs stored them before they were sharded. Moved into the shards when such a catalog is
    /// next activated; always empty afterwards.
    /// </summary>
    [Id(0)] public List<AliasEntry> Aliases { get; set; } = [];

    /// <summary>The shards that hold at least one alias, in ordinal order.</summary>
    [Id(1)] public List<string> Shards { get; set; } = [];
}

/// <summary>
/// The list behind ListAliases for one account and region; the marker is the last alias name of a page. Aliases
/// are spread over <see cref="AliasCatalog.ShardCount"/> shard grains by a hash of their names, so no stored row
/// outgrows a storage entity; a page merges the shards' next entries in name order. This grain only writes when a
/// shard becomes empty or non-empty.
/// </summary>
public sealed class AliasCatalogGrain(
    [PersistentState("aliases", KmsGrainOptionsDefaults.StorageName)] IPersistentState<AliasCatalogState> state)
    : ShardedCatalogGrain<AliasCatalogState, IAliasCatalogShardGrain>(state), IAliasCatalogGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        MoveIntoShardsAsync(Stored.Aliases, e => AliasCatalog.ShardOf(e.AliasName), (shard, entries) => shard.PutAsync(entries));

    public Task PutAsync(AliasEntry entry) => AddThroughAsync(AliasCatalog.ShardOf(entry.AliasName), shard => shard.PutAsync([entry]));

    public Task RemoveAsync(string aliasName) => RemoveThroughAsync(AliasCatalog.ShardOf(aliasName), shard => shard.RemoveAsync(aliasName));

    public async Task<AliasListPage> ListAsync(string? targetKeyId, int limit, string? marker)
    {
        var parts = await Task.WhenAll(Shards.Select(shard => Shard(shard).ListAsync(targetKeyId, limit + 1, marker)));
        var merged = parts.SelectMany(p => p).OrderBy(e => e.AliasName, StringComparer.Ordinal).Take(limit + 1).ToList();
        if (merged.Count <= limit) return new AliasListPage(merged, null);
        merged.RemoveAt(limit);
        return new AliasListPage(merged, merged[^1].AliasName);
    }
}

/// <summary>The stored aliases of one alias catalog shard, sorted by name.</summary>
[GenerateSerializer]
public sealed class AliasCatalogShardState
{
    [Id(0)] public List<AliasEntry> Aliases { get; set; } = [];
}

/// <summary>One shard of an <see cref="AliasCatalogGrain"/>: aliases sorted by name, written whole on each change.</summary>
public sealed class AliasCatalogShardGrain(
    [PersistentState("aliases-shard", KmsGrainOptionsDefaults.StorageName)] IPersistentState<AliasCatalogShardState> state)
    : Grain, IAliasCatalogShardGrain
{
    private static string Name(AliasEntry entry) => entry.AliasName;

    public async Task PutAsync(IReadOnlyList<AliasEntry> entries)
    {
        var list = state.State.Aliases;
        foreach (var entry in entries) list = SortedList.With(list, entry, Name) ?? list;
        if (list != state.State.Aliases) await state.CommitAsync(new AliasCatalogShardState { Aliases = list });
    }

    public async Task<int> RemoveAsync(string aliasName)
    {
        if (SortedList.Without(state.State.Aliases, aliasName, Name) is { } list) await state.CommitAsync(new AliasCatalogShardState { Aliases = list });
        return state.State.Aliases.Count;
    }

    public Task<IReadOnlyList<AliasEntry>> ListAsync(string? targetKeyId, int limit, string? after)
    {
        var list = state.State.Aliases;
        var page = new List<AliasEntry>(Math.Min(limit, 100));
        for (var i = SortedList.IndexAfter(list, after, Name); i < list.Count && page.Count < limit; i++)
        {
            if (targetKeyId is null || list[i].TargetKeyId == targetKeyId) page.Add(list[i]);
        }

        return Task.FromResult<IReadOnlyList<AliasEntry>>(page);
    }
}
