namespace OrleansKms.Grains.KeyStores;

/// <summary>
/// The custom key stores of one account and Region (grain key <c>ACCOUNT/REGION</c>): the single writer of their names
/// and bindings, so that two stores never share a name, an HSM cluster or an XKS proxy URI.
/// </summary>
public sealed class CustomKeyStoreCatalogGrain(
    [PersistentState("keystores", KmsGrainOptionsDefaults.StorageName)] IPersistentState<StoredKeyStoreCatalog> state) : Grain, ICustomKeyStoreCatalogGrain
{
    public async Task AddAsync(string storeId, string name, string binding)
    {
        if (state.State.Stores.Any(s => s.StoreId == storeId)) return;
        EnsureFree(storeId, name, binding);
        state.State.Stores.Add(new CatalogEntry(storeId, name, binding));
        await state.WriteStateAsync();
    }

    public async Task RenameAsync(string storeId, string newName)
    {
        var i = Index(storeId);
        if (state.State.Stores[i].Name == newName) return;
        EnsureFree(storeId, newName, null);
        state.State.Stores[i] = state.State.Stores[i] with { Name = newName };
        await state.WriteStateAsync();
    }

    public async Task RebindAsync(string storeId, string binding)
    {
        var i = Index(storeId);
        if (state.State.Stores[i].Binding == binding) return;
        EnsureFree(storeId, null, binding);
        state.State.Stores[i] = state.State.Stores[i] with { Binding = binding };
        await state.WriteStateAsync();
    }

    public async Task RemoveAsync(string storeId)
    {
        if (state.State.Stores.RemoveAll(s => s.StoreId == storeId) > 0) await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ListAsync(string? name) =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Stores.Where(s => name is null || s.Name == name).Select(s => s.StoreId)]);

    private int Index(string storeId)
    {
        var i = state.State.Stores.FindIndex(s => s.StoreId == storeId);
        return i >= 0 ? i : throw new KmsException(KmsErrorCode.CustomKeyStoreNotFoundException, $"Custom key store {storeId} does not exist.");
    }

    private void EnsureFree(string storeId, string? name, string? binding)
    {
        var others = state.State.Stores.Where(s => s.StoreId != storeId).ToList();
        if (name is not null && others.Any(s => s.Name == name))
            throw new KmsException(KmsErrorCode.CustomKeyStoreNameInUseException, $"A custom key store with name {name} already exists in this account and Region.");
        if (binding is null || others.All(s => s.Binding != binding)) return;
        if (binding.StartsWith(Bindings.Hsm, StringComparison.Ordinal))
            throw new KmsException(KmsErrorCode.CloudHsmClusterInUseException, $"The AWS CloudHSM cluster {binding[Bindings.Hsm.Length..]} is already associated with a custom key store.");
        throw new KmsException(KmsErrorCode.XksProxyUriInUseException, "The XKS proxy URI endpoint and path are already associated with an external key store in this account and Region.");
    }
}

/// <summary>What a store is bound to, as the catalog compares it.</summary>
internal static class Bindings
{
    public const string Hsm = "hsm:";
    public const string Xks = "xks:";

    public static string OfCluster(string clusterId) => Hsm + clusterId;

    public static string OfProxy(string uriEndpoint, string uriPath) => Xks + uriEndpoint.TrimEnd('/') + uriPath;
}
