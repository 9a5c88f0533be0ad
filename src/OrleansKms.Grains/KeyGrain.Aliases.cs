namespace OrleansKms.Grains;

/// <summary>
/// The names of the aliases that point to the key, for kms:ResourceAliases: the alias grains report each change
/// after (an addition) or before (a removal) committing their own row, and mend it after a failure in between.
/// These calls interleave with the key's own work (IKeyGrain marks them so): a deletion waits on the key's alias
/// grains, which may be reporting to the key at that moment. They touch only the aliases row, one at a time.
/// </summary>
public sealed partial class KeyGrain
{
    private readonly SemaphoreSlim _aliasWrites = new(1, 1);

    public Task AddAliasAsync(string aliasName) => ChangeAliasesAsync(aliasName, add: true);

    public Task RemoveAliasAsync(string aliasName) => ChangeAliasesAsync(aliasName, add: false);

    private async Task ChangeAliasesAsync(string aliasName, bool add)
    {
        await _aliasWrites.WaitAsync();
        try
        {
            var current = aliasState.State;
            if (add == current.Names.Contains(aliasName, StringComparer.Ordinal)) return;
            if (add && !(_committed ?? state.State).Exists) return; // the key is gone (or going): nothing to report to
            var names = add ? [.. current.Names, aliasName] : current.Names.Where(n => n != aliasName).ToList();
            names.Sort(StringComparer.Ordinal);
            aliasState.State = new KeyAliasesState { Names = names, Changes = current.Changes + 1 };
            try
            {
                await aliasState.WriteStateAsync();
            }
            catch
            {
                aliasState.State = current;
                throw;
            }
        }
        finally
        {
            _aliasWrites.Release();
        }

        var committed = _committed ?? state.State;
        if (committed.Exists) await publisher.PublishAsync(ToSnapshot(committed));
    }
}
