using Microsoft.Extensions.DependencyInjection;

namespace OrleansKms.Grains;

/// <summary>The development reset and seed (<see cref="IKmsDevelopmentAdmin"/>), on the grains of this silo's cluster.</summary>
public sealed class DevelopmentAdmin(
    IGrainFactory grains,
    IKeyMaterialProtector protector,
    [FromKeyedServices(KmsTime.ServiceKey)] TimeProvider time) : IKmsDevelopmentAdmin
{
    public async Task<ResetResult> ResetAsync(IReadOnlyCollection<string> accounts, string region)
    {
        int keys = 0, aliases = 0;
        foreach (var account in accounts)
        {
            var aliasCatalog = grains.GetGrain<IAliasCatalogGrain>(KeyCatalog.GrainKey(account, region));
            var keyCatalog = grains.GetGrain<IKeyCatalogGrain>(KeyCatalog.GrainKey(account, region));
            // Aliases first (a key's deletion would find them too; this also takes any that point nowhere).
            while ((await aliasCatalog.ListAsync(null, 100, null)).Aliases is { Count: > 0 } page)
            {
                await Task.WhenAll(page.Select(a => DeleteAliasAsync(aliasCatalog, AliasNames.GrainKey(account, region, a.AliasName), a)));
                aliases += page.Count;
            }

            while ((await keyCatalog.ListAsync(1000, null)).KeyIds is { Count: > 0 } page)
            {
                await Task.WhenAll(page.Select(id => grains.GetGrain<IKeyGrain>(new KeyArn(region, account, id).Value).PurgeAsync()));
                keys += page.Count;
            }
        }

        return new ResetResult(keys, aliases);
    }

    public async Task<SeedResult> SeedKeyAsync(SeededKey key)
    {
        var grain = grains.GetGrain<IKeyGrain>(key.Arn.Value);
        var created = false;
        try
        {
            await grain.GetSnapshotAsync();
        }
        catch (KmsException e) when (e.Code == KmsErrorCode.NotFoundException)
        {
            await grain.CreateAsync(key.Command with { Material = Wrap(key) });
            if (key.RotationPeriodInDays is { } days) await grain.EnableRotationAsync(key.Command.Caller, days);
            if (!key.Enabled) await grain.DisableAsync(key.Command.Caller);
            created = true;
        }

        List<string> aliasesCreated = [], aliasesElsewhere = [];
        foreach (var name in key.Aliases)
        {
            var alias = grains.GetGrain<IAliasGrain>(AliasNames.GrainKey(key.Arn.AccountId, key.Arn.Region, name));
            var target = await alias.GetTargetAsync();
            if (target.TargetKeyId is null)
            {
                await alias.CreateAsync(key.Command.Caller, key.Arn);
                aliasesCreated.Add(name);
            }
            else if (target.TargetKeyId != key.Arn.KeyId)
            {
                aliasesElsewhere.Add(name);
            }
        }

        return new SeedResult(created, aliasesCreated, aliasesElsewhere);
    }

    private WrappedKeyMaterial? Wrap(SeededKey key)
    {
        if (key.Material is null) return null;
        var (materialId, material) = KeyMaterials.Given(key.Command.KeySpec, key.Material);
        using (material)
        {
            return new WrappedKeyMaterial(materialId, protector.Wrap(material, key.Arn, materialId), time.GetUtcNow());
        }
    }

    /// <summary>Deletes the alias whatever the key's policy says (a reset is the administrator's), and its catalog entry.</summary>
    private async Task DeleteAliasAsync(IAliasCatalogGrain catalog, string grainKey, AliasEntry alias)
    {
        await grains.GetGrain<IAliasGrain>(grainKey).DeleteIfTargetAsync(alias.TargetKeyId);
        await catalog.RemoveAsync(alias.AliasName); // gone, or pointing elsewhere by now: the entry goes either way
    }
}
