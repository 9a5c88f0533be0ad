namespace OrleansKms.Grains;

public static class RetirableGrants
{
    public static string GrainKey(string accountId, string region, string principal) => $"{accountId}/{region}/{principal}";
}

/// <summary>The stored index of the grants one principal may retire.</summary>
[GenerateSerializer]
public sealed class RetirableGrantsState
{
    [Id(0)] public List<ListedGrant> Grants { get; set; } = [];
}

/// <summary>The grants of one account and region with one retiring principal, in the order they were made.</summary>
public sealed class RetirableGrantsGrain(
    [PersistentState("retirable-grants", KmsGrainOptionsDefaults.StorageName)] IPersistentState<RetirableGrantsState> state)
    : Grain, IRetirableGrantsGrain
{
    public async Task AddAsync(ListedGrant grant)
    {
        if (state.State.Grants.Any(g => g.Grant.GrantId == grant.Grant.GrantId)) return;
        await state.CommitAsync(new RetirableGrantsState { Grants = [.. state.State.Grants, grant] });
    }

    public async Task RemoveAsync(string keyArn, string grantId)
    {
        var kept = state.State.Grants.Where(g => !(g.KeyArn == keyArn && g.Grant.GrantId == grantId)).ToList();
        if (kept.Count != state.State.Grants.Count) await state.CommitAsync(new RetirableGrantsState { Grants = kept });
    }

    public Task<GrantPage> ListAsync(int limit, string? marker)
    {
        var grants = state.State.Grants;
        var start = Markers.Index(marker, grants.Count);
        var page = grants.Skip(start).Take(limit).ToList();
        var end = start + page.Count;
        return Task.FromResult(new GrantPage(page, end < grants.Count ? end.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }
}
