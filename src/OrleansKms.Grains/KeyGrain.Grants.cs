using OrleansKms.Crypto.Keys;
using OrleansKms.Policy;

namespace OrleansKms.Grains;

/// <summary>
/// Grants: CreateGrant, ListGrants, RetireGrant, RevokeGrant. A key's grants are stored in their own row (never
/// beside the key material, so a full grant row cannot stop a rotation) and indexed by retiring principal for
/// ListRetirableGrants (kept in step by <see cref="CrossRowChanges"/>). They are not evaluated on calls yet (nor are key policies).
/// </summary>
public sealed partial class KeyGrain
{
    public const int MaxGrantsPerKey = 50_000;

    /// <summary>What the grants of one key may take in their storage row: well inside Azure Table's 960 KB entity.</summary>
    public const int GrantStorageBudgetBytes = 700_000;

    public async Task<CreatedGrant> CreateGrantAsync(KmsCaller caller, KeyGrant requested, bool dryRun)
    {
        var constraintType = requested.Constraints switch
        {
            { EncryptionContextEquals.Count: > 0 } => "EncryptionContextEquals",
            { EncryptionContextSubset.Count: > 0 } => "EncryptionContextSubset",
            _ => null,
        };
        var request = new AccessRequest().ForGrant(requested.Operations)
            .Context(requested.Constraints?.EncryptionContextEquals ?? requested.Constraints?.EncryptionContextSubset)
            .With("kms:GranteePrincipal", requested.GranteePrincipal ?? requested.GranteeServicePrincipal)
            .With("kms:RetiringPrincipal", requested.RetiringPrincipal ?? requested.RetiringServicePrincipal)
            .With("kms:GrantConstraintType", constraintType)
            .With("kms:GrantIsForAWSResource", ConditionValue.Of(false));
        var current = Authorized(caller, "CreateGrant", request);
        KeyStates.EnsureUsable(current.KeyState, Arn);
        GrantRules.EnsureFits(requested, current.KeySpec, current.KeyUsage, Arn);
        if (dryRun) throw KmsException.DryRun();
        var grants = grantState.State;
        var same = requested.Name is null ? null : grants.Grants.FirstOrDefault(g => g.SameTermsAs(requested));
        if (same is not null)
        {
            if (RetiringIndex(same) is { } sameIndex) await sameIndex.AddAsync(new ListedGrant(Arn.Value, same)); // mends a failed earlier add
            return new CreatedGrant(same.GrantId, Token(same));
        }

        var grant = requested with
        {
            GrantId = GrantIds.New(),
            CreationDate = time.GetUtcNow(),
            IssuingAccount = $"arn:{KeyArn.PartitionOf(Arn.Region)}:iam::{caller.AccountId}:root",
            Sequence = grants.NextSequence,
        };
        if (grants.Grants.Count >= MaxGrantsPerKey || grants.Grants.Sum(g => g.EstimatedSize) + grant.EstimatedSize > GrantStorageBudgetBytes)
        {
            throw new KmsException(KmsErrorCode.LimitExceededException,
                $"{Arn} has as many grants as it can hold ({grants.Grants.Count}); retire or revoke grants before creating more.");
        }

        await CrossRow.RunAsync(async () =>
        {
            await grantState.CommitAsync(new KeyGrantsState { Grants = [.. grants.Grants, grant], NextSequence = grants.NextSequence + 1, Changes = grants.Changes + 1 });
            if (RetiringIndex(grant) is { } index) await index.AddAsync(new ListedGrant(Arn.Value, grant));
        });
        await publisher.PublishAsync(ToSnapshot(state.State));
        return new CreatedGrant(grant.GrantId, Token(grant));
    }

    /// <summary>Grants in creation order; the marker is the sequence number of the last grant listed, so removals do not shift pages.</summary>
    public Task<GrantPage> ListGrantsAsync(KmsCaller caller, int limit, string? marker, string? grantId, string? granteePrincipal, string? granteeServicePrincipal)
    {
        Authorized(caller, "ListGrants", new AccessRequest().With("kms:GrantIsForAWSResource", ConditionValue.Of(false)));
        var after = SequenceMarker(marker);
        var matching = grantState.State.Grants.Where(g => g.Sequence > after
            && (grantId is null || g.GrantId == grantId)
            && (granteePrincipal is null || g.GranteePrincipal == granteePrincipal)
            && (granteeServicePrincipal is null || g.GranteeServicePrincipal == granteeServicePrincipal));
        var page = matching.Take(limit + 1).ToList();
        var next = page.Count > limit ? page[limit - 1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return Task.FromResult(new GrantPage(page.Take(limit).Select(g => new ListedGrant(Arn.Value, g)).ToList(), next));
    }

    public async Task RemoveGrantAsync(KmsCaller caller, string grantId, bool dryRun, bool revoke = false)
    {
        if (revoke) Authorized(caller, "RevokeGrant", new AccessRequest().With("kms:GrantIsForAWSResource", ConditionValue.Of(false)));
        else Existing();
        var grants = grantState.State;
        var grant = grants.Grants.FirstOrDefault(g => g.GrantId == grantId)
            ?? throw new KmsException(KmsErrorCode.NotFoundException, $"Grant ID {grantId} not found");
        if (!revoke && !MayRetire(caller, grant))
        {
            var constraint = grant.Constraints?.EncryptionContextEquals ?? grant.Constraints?.EncryptionContextSubset;
            Authorized(caller, "RetireGrant", new AccessRequest().Context(constraint));
        }
        if (dryRun) throw KmsException.DryRun();
        // Out of the index first: if the grant's own removal then fails, mending puts it back in.
        await CrossRow.RunAsync(async () =>
        {
            if (RetiringIndex(grant) is { } index) await index.RemoveAsync(Arn.Value, grantId);
            await grantState.CommitAsync(new KeyGrantsState { Grants = grants.Grants.Where(g => g != grant).ToList(), NextSequence = grants.NextSequence, Changes = grants.Changes + 1 });
        });
        await publisher.PublishAsync(ToSnapshot(state.State));
    }

    /// <summary>
    /// Whom the grant itself lets retire it (AWS): its retiring principal, its grantee when it gives RetireGrant, and
    /// the account that created it. Anyone else needs kms:RetireGrant from an IAM policy.
    /// </summary>
    private static bool MayRetire(KmsCaller caller, KeyGrant grant) =>
        Is(caller, grant.RetiringPrincipal)
        || (grant.Operations.Contains("RetireGrant") && Is(caller, grant.GranteePrincipal))
        || (caller.PrincipalType == "Account" && caller.PrincipalArn == grant.IssuingAccount);

    private static bool Is(KmsCaller caller, string? principal) =>
        principal is not null && (principal == caller.PrincipalArn || principal == caller.RoleArn);

    /// <summary>At the end of a deletion the key's grants go with it: their row, and their entries in the retiring index.</summary>
    private async Task DeleteGrantsAsync()
    {
        foreach (var grant in grantState.State.Grants)
        {
            if (RetiringIndex(grant) is { } index) await index.RemoveAsync(Arn.Value, grant.GrantId);
        }

        await grantState.ClearStateAsync();
        grantState.State = new KeyGrantsState();
    }

    private string Token(KeyGrant grant) => GrantTokens.Issue(secrets.KeyFor(GrantTokens.Purpose), Arn.Value, grant);

    /// <summary>A sequence-number marker (positional markers would skip grants removed between pages).</summary>
    internal static long SequenceMarker(string? marker)
    {
        if (marker is null) return 0;
        if (long.TryParse(marker, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence)) return sequence;
        throw new KmsException(KmsErrorCode.InvalidMarkerException, "Invalid marker");
    }

    private IRetirableGrantsGrain? RetiringIndex(KeyGrant grant) =>
        RetirableGrants.IndexKey(grant.RetiringPrincipal, grant.RetiringServicePrincipal) is { } principal
            ? GrainFactory.GetGrain<IRetirableGrantsGrain>(RetirableGrants.GrainKey(Arn.AccountId, Arn.Region, principal))
            : null;
}

/// <summary>Which grant operations and constraints fit which keys, as AWS KMS allows them (the spec's entry in <see cref="KeySpecCatalog"/> says).</summary>
public static class GrantRules
{
    public static IReadOnlyList<string> OperationsFor(string keySpec, string keyUsage) => KeySpecCatalog.Get(keySpec).GrantOperations(keyUsage);

    public static void EnsureFits(KeyGrant grant, string keySpec, string keyUsage, KeyArn arn)
    {
        var spec = KeySpecCatalog.Get(keySpec);
        var allowed = spec.GrantOperations(keyUsage);
        var invalid = grant.Operations.Where(o => !allowed.Contains(o)).ToList();
        if (invalid.Count > 0)
        {
            throw KmsException.Validation(
                $"Grant operations [{string.Join(", ", invalid)}] are not valid for {arn}, a {keySpec} key for {keyUsage}. Valid: {string.Join(", ", allowed)}.");
        }

        var constraints = grant.Constraints;
        var hasContext = constraints?.EncryptionContextSubset is { Count: > 0 } || constraints?.EncryptionContextEquals is { Count: > 0 };
        if (hasContext && !spec.AllowsEncryptionContextConstraints)
            throw KmsException.Validation($"Encryption context grant constraints are valid only for symmetric encryption keys; {arn} is a {keySpec} key.");
    }
}
