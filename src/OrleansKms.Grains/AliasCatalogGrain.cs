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
public sealed class AliasCatalogState
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
    : Grain, IAliasCatalogGrain
{
    private List<string> Shards => state.State.Shards;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Aliases.Count > 0) await MoveIntoShardsAsync();
    }

    public async Task PutAsync(AliasEntry entry)
    {
        var shard = AliasCatalog.ShardOf(entry.AliasName);
        await Shard(shard).PutAsync([entry]);
        if (SortedStrings.With(Shards, shard) is { } shards) await state.CommitAsync(new AliasCatalogState { Shards = shards });
    }

    public async Task RemoveAsync(string aliasName)
    {
        var shard = AliasCatalog.ShardOf(aliasName);
        if (await Shard(shard).RemoveAsync(aliasName) > 0) return;
        if (SortedStrings.Without(Shards, shard) is { } shards) await state.CommitAsync(new AliasCatalogState { Shards = shards });
    }

    public async Task<AliasListPage> ListAsync(string? targetKeyId, int limit, string? marker)
    {
        var parts = await Task.WhenAll(Shards.Select(shard => Shard(shard).ListAsync(targetKeyId, limit + 1, marker)));
        var merged = parts.SelectMany(p => p).OrderBy(e => e.AliasName, StringComparer.Ordinal).Take(limit + 1).ToList();
        if (merged.Count <= limit) return new AliasListPage(merged, null);
        merged.RemoveAt(limit);
        return new AliasListPage(merged, merged[^1].AliasName);
    }

    private async Task MoveIntoShardsAsync()
    {
        var shards = Shards;
        foreach (var group in state.State.Aliases.GroupBy(e => AliasCatalog.ShardOf(e.AliasName)))
        {
            await Shard(group.Key).PutAsync(group.ToList());
            shards = SortedStrings.With(shards, group.Key) ?? shards;
        }

        await state.CommitAsync(new AliasCatalogState { Shards = shards });
    }

    private IAliasCatalogShardGrain Shard(string shard) =>
        GrainFactory.GetGrain<IAliasCatalogShardGrain>(KeyCatalog.ShardGrainKey(this.GetPrimaryKeyString(), shard));
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
    private static readonly IComparer<AliasEntry> ByName = Comparer<AliasEntry>.Create((a, b) => string.CompareOrdinal(a.AliasName, b.AliasName));

    public async Task PutAsync(IReadOnlyList<AliasEntry> entries)
    {
        var list = new List<AliasEntry>(state.State.Aliases);
        foreach (var entry in entries)
        {
            var at = list.BinarySearch(entry, ByName);
            if (at >= 0) list[at] = entry;
            else list.Insert(~at, entry);
        }

        await state.CommitAsync(new AliasCatalogShardState { Aliases = list });
    }

    public async Task<int> RemoveAsync(string aliasName)
    {
        var at = state.State.Aliases.BinarySearch(new AliasEntry(aliasName, "", default, default), ByName);
        if (at < 0) return state.State.Aliases.Count;
        var list = new List<AliasEntry>(state.State.Aliases);
        list.RemoveAt(at);
        await state.CommitAsync(new AliasCatalogShardState { Aliases = list });
        return list.Count;
    }

    public Task<IReadOnlyList<AliasEntry>> ListAsync(string? targetKeyId, int limit, string? after)
    {
        var list = state.State.Aliases;
        var start = 0;
        if (after is not null)
        {
            var at = list.BinarySearch(new AliasEntry(after, "", default, default), ByName);
            start = at >= 0 ? at + 1 : ~at;
        }

        var page = new List<AliasEntry>(Math.Min(limit, 100));
        for (var i = start; i < list.Count && page.Count < limit; i++)
        {
            if (targetKeyId is null || list[i].TargetKeyId == targetKeyId) page.Add(list[i]);
        }

        return Task.FromResult<IReadOnlyList<AliasEntry>>(page);
    }
}
