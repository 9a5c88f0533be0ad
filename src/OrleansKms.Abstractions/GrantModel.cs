namespace OrleansKms;

/// <summary>
/// One grant on a key, as ListGrants shows it. Grants are immutable once made; retiring or revoking removes them.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KeyGrant(
    [property: Id(0)] string GrantId,
    [property: Id(1)] string? Name,
    [property: Id(2)] DateTimeOffset CreationDate,
    [property: Id(3)] string? GranteePrincipal,
    [property: Id(4)] string? RetiringPrincipal,
    [property: Id(5)] string IssuingAccount,
    [property: Id(6)] IReadOnlyList<string> Operations,
    [property: Id(7)] GrantConstraints? Constraints,
    [property: Id(8)] string? GranteeServicePrincipal,
    [property: Id(9)] string? RetiringServicePrincipal,
    [property: Id(10)] long Sequence = 0)
{
    /// <summary>A generous estimate of the grant's stored size in bytes, for the per-key storage budget.</summary>
    public int EstimatedSize =>
        128 + 2 * ((Name?.Length ?? 0) + (GranteePrincipal?.Length ?? 0) + (RetiringPrincipal?.Length ?? 0)
            + (GranteeServicePrincipal?.Length ?? 0) + (RetiringServicePrincipal?.Length ?? 0) + GrantId.Length + IssuingAccount.Length
            + Operations.Sum(o => o.Length + 4) + (Constraints?.Characters ?? 0));

    /// <summary>Same grantees, operations and constraints: CreateGrant with the same Name returns the existing grant.</summary>
    public bool SameTermsAs(KeyGrant other) =>
        Name == other.Name && GranteePrincipal == other.GranteePrincipal && RetiringPrincipal == other.RetiringPrincipal
        && GranteeServicePrincipal == other.GranteeServicePrincipal && RetiringServicePrincipal == other.RetiringServicePrincipal
        && Operations.Order(StringComparer.Ordinal).SequenceEqual(other.Operations.Order(StringComparer.Ordinal))
        && (Constraints ?? GrantConstraints.None).SameAs(other.Constraints ?? GrantConstraints.None);
}

/// <summary>A grant's constraints: the encryption context a call must carry, and the source ARN.</summary>
[GenerateSerializer, Immutable]
public sealed record GrantConstraints(
    [property: Id(0)] Dictionary<string, string>? EncryptionContextSubset,
    [property: Id(1)] Dictionary<string, string>? EncryptionContextEquals,
    [property: Id(2)] string? SourceArn)
{
    public static readonly GrantConstraints None = new(null, null, null);

    /// <summary>Characters of the constraint's keys, values and source ARN.</summary>
    public int Characters =>
        (EncryptionContextSubset?.Sum(p => p.Key.Length + p.Value.Length + 4) ?? 0)
        + (EncryptionContextEquals?.Sum(p => p.Key.Length + p.Value.Length + 4) ?? 0) + (SourceArn?.Length ?? 0);

    public bool SameAs(GrantConstraints other) =>
        SameMap(EncryptionContextSubset, other.EncryptionContextSubset) && SameMap(EncryptionContextEquals, other.EncryptionContextEquals)
        && SourceArn == other.SourceArn;

    private static bool SameMap(Dictionary<string, string>? a, Dictionary<string, string>? b) =>
        (a is null || a.Count == 0) ? (b is null || b.Count == 0)
            : b is not null && a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);
}

/// <summary>What CreateGrant answers.</summary>
[GenerateSerializer, Immutable]
public sealed record CreatedGrant([property: Id(0)] string GrantId, [property: Id(1)] string GrantToken);

/// <summary>One page of ListGrants or ListRetirableGrants: the grants with the ARN of their key.</summary>
[GenerateSerializer, Immutable]
public sealed record GrantPage([property: Id(0)] IReadOnlyList<ListedGrant> Grants, [property: Id(1)] string? NextMarker);

[GenerateSerializer, Immutable]
public sealed record ListedGrant([property: Id(0)] string KeyArn, [property: Id(1)] KeyGrant Grant);

/// <summary>Grant ids: 64 lower-case hex digits, as AWS's. Grant tokens: <see cref="GrantTokens"/>.</summary>
public static class GrantIds
{
    public static string New() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static bool IsValid(string? grantId) =>
        grantId is { Length: 64 } && grantId.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>True for a token of this service's form (its tag is checked where the token is used).</summary>
    public static bool IsToken(string token) => GrantTokens.TryRead(token, out _);

    /// <summary>The key ARN and grant id a token names; InvalidGrantTokenException for anything not of this service's form.</summary>
    public static (KeyArn Key, string GrantId) ParseToken(string token) =>
        GrantTokens.TryRead(token, out var claims) && KeyArn.TryParse(claims.KeyArn, out var arn)
            ? (arn.Value, claims.GrantId)
            : throw new KmsException(KmsErrorCode.InvalidGrantTokenException, "Invalid grant token.");
}

// The grant operations of the key (the rest of IKeyGrain: KeyManagementModel.cs).
public partial interface IKeyGrain
{
    /// <summary>
    /// Adds a grant (the id, date and issuing account of <paramref name="requested"/> are the grain's to set), or
    /// returns the grant of the same Name and terms; DryRunOperationException where it would succeed.
    /// </summary>
    Task<CreatedGrant> CreateGrantAsync(KmsCaller caller, KeyGrant requested, bool dryRun);

    /// <summary>The key's grants in creation order, optionally one grant's, one grantee principal's or one grantee service principal's.</summary>
    Task<GrantPage> ListGrantsAsync(KmsCaller caller, int limit, string? marker, string? grantId, string? granteePrincipal, string? granteeServicePrincipal);

    /// <summary>
    /// Removes a grant: RevokeGrant (<paramref name="revoke"/>; kms:RevokeGrant on the key) or RetireGrant (the
    /// grant's retiring principal, its grantee if the grant gives RetireGrant, the account that made it, or a
    /// principal an IAM policy gives kms:RetireGrant); NotFoundException if the key has no such grant.
    /// </summary>
    Task RemoveGrantAsync(KmsCaller caller, string grantId, bool dryRun, bool revoke = false);
}

/// <summary>
/// The grants of one account and region that one principal may retire (grain key: <c>ACCOUNT/REGION/PRINCIPAL</c>),
/// behind ListRetirableGrants. Kept by the KeyGrains as they add and remove grants.
/// </summary>
public interface IRetirableGrantsGrain : IGrainWithStringKey
{
    Task AddAsync(ListedGrant grant);

    Task RemoveAsync(string keyArn, string grantId);

    Task<GrantPage> ListAsync(int limit, string? marker);
}
