namespace OrleansKms.Grains;

/// <summary>The stored list of aliases of one account and region, sorted by name.</summary>
[GenerateSerializer]
public sealed class AliasCatalogState
{
    [Id(0)] public List<AliasEntry> Aliases { get; set; } = [];
}

/// <summary>The list behind ListAliases for one account and region; the marker is the last alias name of a page.</summary>
public sealed class AliasCatalogGrain(
    [PersistentState("aliases", KmsGrainOptionsDefaults.StorageName)] IPersistentState<AliasCatalogState> state)
    : Grain, IAliasCatalogGrain
{
    private static readonly IComparer<AliasEntry> ByName = Comparer<AliasEntry>.Create((a, b) => string.CompareOrdinal(a.AliasName, b.AliasName));

    public async Task PutAsync(AliasEntry entry)
    {
        var list = state.State.Aliases;
        var at = list.BinarySearch(entry, ByName);
        if (at >= 0) list[at] = entry;
        else list.Insert(~at, entry);
        await state.WriteStateAsync();
    }

    public async Task RemoveAsync(string aliasName)
    {
        var list = state.State.Aliases;
        var at = list.BinarySearch(new AliasEntry(aliasName, "", default, default), ByName);
        if (at < 0) return;
        list.RemoveAt(at);
        await state.WriteStateAsync();
    }

    public Task<AliasListPage> ListAsync(string? targetKeyId, int limit, string? marker)
    {
        var page = new List<AliasEntry>(Math.Min(limit, 100));
        string? next = null;
        foreach (var entry in state.State.Aliases)
        {
            if (marker is not null && string.CompareOrdinal(entry.AliasName, marker) <= 0) continue;
            if (targetKeyId is not null && entry.TargetKeyId != targetKeyId) continue;
            if (page.Count == limit)
            {
                next = page[^1].AliasName;
                break;
            }

            page.Add(entry);
        }

        return Task.FromResult(new AliasListPage(page, next));
    }
}
