using Orleans.Storage;

namespace OrleansKms.Grains;

/// <summary>
/// The KMS grain storage: the configured store (Azure Table storage or memory) behind it, except that reads of a key
/// grain minted by the current request are answered "no row" at once (<see cref="OrleansKms.MintedKeys"/>).
/// </summary>
public sealed class MintedKeyAwareGrainStorage(IGrainStorage store) : IGrainStorage
{
    /// <summary>The store this one reads and writes through.</summary>
    public IGrainStorage Store => store;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        MintedKeys.IsMinted(grainId) ? Task.CompletedTask : store.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        store.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        store.ClearStateAsync(stateName, grainId, grainState);
}
