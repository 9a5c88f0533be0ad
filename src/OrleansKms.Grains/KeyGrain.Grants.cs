namespace OrleansKms.Grains;

/// <summary>
/// Grants: CreateGrant, ListGrants, RetireGrant, RevokeGrant. The grants are stored with the key and indexed by
/// retiring principal for ListRetirableGrants. They are not evaluated on calls yet (nor are key policies).
/// </summary>
public sealed partial class KeyGrain
{
    public const int MaxGrantsPerKey = 50_000;

    public async Task<CreatedGrant> CreateGrantAsync(KmsCaller caller, KeyGrant requested, bool dryRun)
    {
        var current = Existing();
        KeyStates.EnsureUsable(current.KeyState, Arn);
        GrantRules.EnsureFits(requested, current.KeySpec, current.KeyUsage, Arn);
        if (dryRun) throw KmsException.DryRun();
        var same = requested.Name is null ? null : current.Grants.FirstOrDefault(g => g.SameTermsAs(requested));
        if (same is not null) return new CreatedGrant(same.GrantId, GrantIds.Token(Arn.Value, same.GrantId));
        if (current.Grants.Count >= MaxGrantsPerKey)
            throw new KmsException(KmsErrorCode.LimitExceededException, $"The grant limit of {MaxGrantsPerKey} for {Arn} has been reached.");

        var grant = requested with
        {
            GrantId = GrantIds.New(),
            CreationDate = time.GetUtcNow(),
            IssuingAccount = $"arn:{KeyArn.PartitionOf(Arn.Region)}:iam::{caller.AccountId}:root",
        };
        var next = current.Clone();
        next.Grants.Add(grant);
        next.Version++;
        await CommitAsync(next);
        if (RetiringIndex(grant) is { } index) await index.AddAsync(new ListedGrant(Arn.Value, grant));
        return new CreatedGrant(grant.GrantId, GrantIds.Token(Arn.Value, grant.GrantId));
    }

    /// <summary>Grants in creation order; the marker is the index of the next one.</summary>
    public Task<GrantPage> ListGrantsAsync(KmsCaller caller, int limit, string? marker, string? grantId, string? granteePrincipal)
    {
        var grants = Existing().Grants
            .Where(g => (grantId is null || g.GrantId == grantId) && (granteePrincipal is null || g.GranteePrincipal == granteePrincipal || g.GranteeServicePrincipal == granteePrincipal))
            .ToList();
        var start = Markers.Index(marker, grants.Count);
        var page = grants.Skip(start).Take(limit).Select(g => new ListedGrant(Arn.Value, g)).ToList();
        var end = start + page.Count;
        return Task.FromResult(new GrantPage(page, end < grants.Count ? end.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    public async Task RemoveGrantAsync(KmsCaller caller, string grantId, bool dryRun)
    {
        var current = Existing();
        var grant = current.Grants.FirstOrDefault(g => g.GrantId == grantId)
            ?? throw new KmsException(KmsErrorCode.NotFoundException, $"Grant ID {grantId} not found");
        if (dryRun) throw KmsException.DryRun();
        var next = current.Clone();
        next.Grants.Remove(grant);
        next.Version++;
        await CommitAsync(next);
        if (RetiringIndex(grant) is { } index) await index.RemoveAsync(Arn.Value, grantId);
    }

    /// <summary>At the end of a deletion the key's grants go with it, from the retiring-principal index too.</summary>
    private async Task RemoveGrantsFromIndexAsync(IEnumerable<KeyGrant> grants)
    {
        foreach (var grant in grants)
        {
            if (RetiringIndex(grant) is { } index) await index.RemoveAsync(Arn.Value, grant.GrantId);
        }
    }

    private IRetirableGrantsGrain? RetiringIndex(KeyGrant grant) =>
        (grant.RetiringPrincipal ?? grant.RetiringServicePrincipal) is { } principal
            ? GrainFactory.GetGrain<IRetirableGrantsGrain>(RetirableGrants.GrainKey(Arn.AccountId, Arn.Region, principal))
            : null;
}

/// <summary>Which grant operations fit which keys, and which constraints, as AWS KMS allows them.</summary>
public static class GrantRules
{
    private static readonly string[] Always = ["CreateGrant", "RetireGrant", "DescribeKey"];

    private static readonly string[] SymmetricEncryption =
        ["Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"];

    public static IReadOnlyList<string> OperationsFor(string keySpec, string keyUsage) => (keySpec, keyUsage) switch
    {
        (KmsValues.SymmetricDefault, _) => [.. SymmetricEncryption, .. Always],
        (_, "SIGN_VERIFY") => ["Sign", "Verify", "GetPublicKey", .. Always],
        (_, "GENERATE_VERIFY_MAC") => ["GenerateMac", "VerifyMac", .. Always],
        (_, "KEY_AGREEMENT") => ["DeriveSharedSecret", "GetPublicKey", .. Always],
        _ => ["Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey", .. Always],
    };

    public static void EnsureFits(KeyGrant grant, string keySpec, string keyUsage, KeyArn arn)
    {
        var allowed = OperationsFor(keySpec, keyUsage);
        var invalid = grant.Operations.Where(o => !allowed.Contains(o)).ToList();
        if (invalid.Count > 0)
        {
            throw KmsException.Validation(
                $"Grant operations [{string.Join(", ", invalid)}] are not valid for {arn}, a {keySpec} key for {keyUsage}. Valid: {string.Join(", ", allowed)}.");
        }

        var constraints = grant.Constraints;
        var hasContext = constraints?.EncryptionContextSubset is { Count: > 0 } || constraints?.EncryptionContextEquals is { Count: > 0 };
        if (hasContext && keySpec != KmsValues.SymmetricDefault)
            throw KmsException.Validation($"Encryption context grant constraints are valid only for symmetric encryption keys; {arn} is a {keySpec} key.");
    }
}
