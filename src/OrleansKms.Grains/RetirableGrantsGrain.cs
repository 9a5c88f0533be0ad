namespace OrleansKms.Grains;

public static class RetirableGrants
{
    public static string GrainKey(string accountId, string region, string indexKey) => $"{accountId}/{region}/{indexKey}";

    /// <summary>The index a retiring principal or retiring service principal is listed under (kept apart, as AWS keeps them).</summary>
    public static string? IndexKey(string? retiringPrincipal, string? retiringServicePrincipal) =>
        retiringPrincipal is not null ? "principal:" + retiringPrincipal
        : retiringServicePrincipal is not null ? "service:" + retiringServicePrincipal
        : null;
}

/// <summary>One entry of the retiring-principal index, with the index's own sequence number (its paging marker).</summary>
[GenerateSerializer, Immutable]
public sealed record IndexedGrant([property: Id(0)] long Sequence, [property: Id(1)] ListedGrant Listed);

/// <summary>The stored index of the grants one principal may retire.</summary>
[GenerateSerializer]
public sealed class RetirableGrantsState
{
    [Id(0)] public List<IndexedGrant> Grants { get; set; } = [];
    [Id(1)] public long NextSequence { get; set; } = 1;
}

/// <summary>
/// The grants of one account and region with one retiring principal, in the order they were made. Written whole on
/// each change: it holds a few thousand grants per principal in one Azure Table row (a limit stated in the README).
/// </summary>
public sealed class RetirableGrantsGrain(
    [PersistentState("retirable-grants", KmsGrainOptionsDefaults.StorageName)] IPersistentState<RetirableGrantsState> state)
    : Grain, IRetirableGrantsGrain
{
    public async Task AddAsync(ListedGrant grant)
    {
        var s = state.State;
        if (s.Grants.Any(g => g.Listed.KeyArn == grant.KeyArn && g.Listed.Grant.GrantId == grant.Grant.GrantId)) return;
        await state.CommitAsync(new RetirableGrantsState { Grants = [.. s.Grants, new IndexedGrant(s.NextSequence, grant)], NextSequence = s.NextSequence + 1 });
    }

    public async Task RemoveAsync(string keyArn, string grantId)
    {
        var s = state.State;
        var kept = s.Grants.Where(g => !(g.Listed.KeyArn == keyArn && g.Listed.Grant.GrantId == grantId)).ToList();
        if (kept.Count != s.Grants.Count) await state.CommitAsync(new RetirableGrantsState { Grants = kept, NextSequence = s.NextSequence });
    }

    public Task<GrantPage> ListAsync(int limit, string? marker)
    {
        var after = KeyGrain.SequenceMarker(marker);
        var page = state.State.Grants.Where(g => g.Sequence > after).Take(limit + 1).ToList();
        var next = page.Count > limit ? page[limit - 1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return Task.FromResult(new GrantPage(page.Take(limit).Select(g => g.Listed).ToList(), next));
    }
}
