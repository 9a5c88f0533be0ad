namespace OrleansKms.Policy;

/// <summary>
/// AWS KMS's authorization of one request on one key (the KMS developer guide, "Determining access to an AWS KMS
/// key"): the key policy is the primary control; IAM policies count only where the key policy lets the account
/// delegate; grants allow on their own; an explicit deny anywhere wins over every allow.
/// </summary>
public static class KmsAuthorizer
{
    private static readonly KmsDecision NoResourcePolicy = new(KmsDecisionKind.NoResourcePolicyAllows, []);
    private static readonly KmsDecision NoIdentityPolicy = new(KmsDecisionKind.NoIdentityPolicyAllows, []);
    private static readonly KmsDecision ByGrant = new(KmsDecisionKind.Allow, []) { AllowedByGrant = true };
    private static readonly KmsDecision ByAccount = new(KmsDecisionKind.Allow, []);

    /// <summary>
    /// Decides <paramref name="request"/> the way AWS KMS does.
    /// <list type="number">
    /// <item>A Deny in the key policy, then a Deny in any identity policy: denied, whatever allows (grants included).</item>
    /// <item>A grant for the caller and the operation (<paramref name="grantAllows"/>, decided by the service): allowed.</item>
    /// <item>No key (<paramref name="keyPolicy"/> null: CreateKey, ListKeys, ...): the identity policies decide; an account's root user is allowed.</item>
    /// <item>Same account: a key policy statement naming the caller (its ARN, its role's ARN for a session, its service, "*") allows
    /// on its own; one naming the key's account enables IAM policies, and then an identity policy must allow (the root user needs none).</item>
    /// <item>Another account: the key policy must allow the caller or its account, and the caller's identity policies must allow
    /// too (that account's root user needs none).</item>
    /// </list>
    /// </summary>
    /// <param name="request">The request, resource included (the key ARN).</param>
    /// <param name="keyPolicy">The key's policy, or null for an operation on no key.</param>
    /// <param name="keyAccountId">The account that owns the key; null reads as the caller's.</param>
    /// <param name="identityPolicies">The caller's identity policies (for an assumed-role session, the role's).</param>
    /// <param name="grantAllows">Whether a grant on the key gives the caller this operation.</param>
    public static KmsDecision Authorize(RequestContext request, PolicyDocument? keyPolicy, string? keyAccountId,
        IReadOnlyList<PolicyDocument> identityPolicies, bool grantAllows)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(identityPolicies);
        var key = keyPolicy is null ? default : PolicyEvaluator.Collect(keyPolicy, request);
        if (key.Denied) return Decision(KmsDecisionKind.ExplicitDenyInResourcePolicy, KmsDecision.KeyPolicySource, key.Denies!);

        List<(string, StatementMatch)>? identityAllows = null;
        for (var i = 0; i < identityPolicies.Count; i++)
        {
            var identity = PolicyEvaluator.Collect(identityPolicies[i], request);
            if (identity.Denied) return Decision(KmsDecisionKind.ExplicitDenyInIdentityPolicy, KmsDecision.IdentityPolicySource(i), identity.Denies!);
            if (identity.Allowed) Add(ref identityAllows, KmsDecision.IdentityPolicySource(i), identity.Allows!);
        }

        if (grantAllows) return ByGrant;
        var caller = request.Principal;
        var isRoot = caller.Type == PrincipalTypes.Account;
        if (keyPolicy is null)
        {
            if (isRoot) return ByAccount;
            return identityAllows is null ? NoIdentityPolicy : new(KmsDecisionKind.Allow, identityAllows);
        }

        if (!key.Allowed) return NoResourcePolicy;
        var keyAllows = Pairs(KmsDecision.KeyPolicySource, key.Allows!);

        // Services and anonymous callers have no identity policies: only a statement naming them can allow them.
        var needsIdentity = key.AllowsAccountOnly || (!SameAccount(caller, keyAccountId) && caller.Type is not (PrincipalTypes.Service or PrincipalTypes.Anonymous));
        if (!needsIdentity || isRoot) return new(KmsDecisionKind.Allow, keyAllows);
        if (identityAllows is null) return NoIdentityPolicy;
        keyAllows.AddRange(identityAllows);
        return new(KmsDecisionKind.Allow, keyAllows);
    }

    private static bool SameAccount(CallerPrincipal caller, string? keyAccountId) =>
        keyAccountId is null || string.Equals(caller.AccountId, keyAccountId, StringComparison.Ordinal);

    private static KmsDecision Decision(KmsDecisionKind kind, string source, List<StatementMatch> statements) =>
        new(kind, Pairs(source, statements));

    private static List<(string, StatementMatch)> Pairs(string source, List<StatementMatch> statements)
    {
        var pairs = new List<(string, StatementMatch)>(statements.Count + 1);
        foreach (var s in statements) pairs.Add((source, s));
        return pairs;
    }

    private static void Add(ref List<(string, StatementMatch)>? list, string source, List<StatementMatch> statements)
    {
        list ??= [];
        foreach (var s in statements) list.Add((source, s));
    }
}
