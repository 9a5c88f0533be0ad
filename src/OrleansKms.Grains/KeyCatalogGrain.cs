namespace OrleansKms.Grains;

/// <summary>Grain keys of the catalogs.</summary>
public static class KeyCatalog
{
    public static string GrainKey(string accountId, string region) => $"{accountId}/{region}";
}

/// <summary>The stored list of key ids of one account and region, kept sorted.</summary>
[GenerateSerializer]
public sealed class KeyCatalogState
{
    [Id(0)] public List<string> KeyIds { get; set; } = [];
}

/// <summary>
/// The list behind ListKeys for one account and region. Pages are in key-id order; the marker is the last key id
/// of the previous page, so a page is stable while keys are added or removed around it.
/// </summary>
public sealed class KeyCatalogGrain(
    [PersistentState("catalog", KmsGrainOptionsDefaults.StorageName)] IPersistentState<KeyCatalogState> state)
    : Grain, IKeyCatalogGrain
{
    public async Task AddAsync(string keyId)
    {
        var ids = state.State.KeyIds;
        var at = ids.BinarySearch(keyId, StringComparer.Ordinal);
        if (at >= 0) return;
        ids.Insert(~at, keyId);
        await WriteOrUndo(() => ids.Remove(keyId));
    }

    public async Task RemoveAsync(string keyId)
    {
        var ids = state.State.KeyIds;
        var at = ids.BinarySearch(keyId, StringComparer.Ordinal);
        if (at < 0) return;
        ids.RemoveAt(at);
        await WriteOrUndo(() => ids.Insert(at, keyId));
    }

    public Task<KeyListPage> ListAsync(int limit, string? marker)
    {
        var ids = state.State.KeyIds;
        var start = 0;
        if (marker is not null)
        {
            var at = ids.BinarySearch(marker, StringComparer.Ordinal);
            start = at >= 0 ? at + 1 : ~at;
        }

        var count = Math.Min(limit, ids.Count - start);
        var page = ids.GetRange(start, Math.Max(count, 0));
        var next = start + page.Count < ids.Count ? page[^1] : null;
        return Task.FromResult(new KeyListPage(page, next));
    }

    private async Task WriteOrUndo(Action undo)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            undo();
            throw;
        }
    }
}
