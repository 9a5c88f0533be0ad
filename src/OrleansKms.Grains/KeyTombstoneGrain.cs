namespace OrleansKms.Grains;

/// <summary>The stored tombstones of one account, Region and month.</summary>
[GenerateSerializer]
public sealed class KeyTombstonesState
{
    [Id(0)] public List<KeyBillingFacts> Keys { get; set; } = [];
}

/// <summary>
/// Keys purged in one month (<see cref="IKeyTombstoneGrain"/>): a few hundred bytes per deleted key, written once. A
/// key purged twice (a retried purge) keeps its first tombstone.
/// </summary>
public sealed class KeyTombstoneGrain(
    [PersistentState("tombstones", KmsGrainOptionsDefaults.StorageName)] IPersistentState<KeyTombstonesState> state)
    : Grain, IKeyTombstoneGrain
{
    public async Task AddAsync(KeyBillingFacts facts)
    {
        if (state.State.Keys.Any(k => k.KeyArn == facts.KeyArn)) return;
        state.State.Keys.Add(facts);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Keys.Remove(facts);
            throw;
        }
    }

    public Task<IReadOnlyList<KeyBillingFacts>> ListAsync() => Task.FromResult<IReadOnlyList<KeyBillingFacts>>([.. state.State.Keys]);
}
