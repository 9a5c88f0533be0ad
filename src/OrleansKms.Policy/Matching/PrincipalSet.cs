namespace OrleansKms.Policy.Matching;

/// <summary>How a statement's Principal took in the caller.</summary>
internal enum PrincipalOutcome : byte
{
    NoMatch,

    /// <summary>The caller itself: its ARN, its role's ARN (for a session), its service, or "*".</summary>
    Caller,

    /// <summary>The caller's account (arn:aws:iam::ACCOUNT:root or "ACCOUNT"): the account's IAM policies decide.</summary>
    Account,
}

/// <summary>
/// The Principal (or NotPrincipal) of a key or trust policy statement, validated by the parser. Federated and
/// CanonicalUser principals are kept valid but match no caller this service knows.
/// </summary>
internal sealed class PrincipalSet
{
    private readonly bool _everyone;
    private readonly string[] _accounts;
    private readonly string[] _arns;
    private readonly string[] _services;

    public PrincipalSet(bool everyone, string[] accounts, string[] arns, string[] services, bool negated)
    {
        _everyone = everyone;
        _accounts = accounts;
        _arns = arns;
        _services = services;
        Negated = negated;
    }

    public bool Negated { get; }

    public PrincipalOutcome Match(CallerPrincipal caller)
    {
        if (Negated) return Excludes(caller) ? PrincipalOutcome.NoMatch : PrincipalOutcome.Caller;
        if (_everyone || ListsCaller(caller)) return PrincipalOutcome.Caller;
        return IsPerson(caller) && Contains(_accounts, caller.AccountId, StringComparison.Ordinal)
            ? PrincipalOutcome.Account
            : PrincipalOutcome.NoMatch;
    }

    private bool ListsCaller(CallerPrincipal caller)
    {
        if (caller.Type == PrincipalTypes.Service)
            return caller.ServicePrincipal is { } service && Contains(_services, service, StringComparison.OrdinalIgnoreCase);
        if (!IsPerson(caller)) return false;

        // A role's ARN stands for every session of the role, as IAM matches resource-policy principals.
        return Contains(_arns, caller.Arn, StringComparison.Ordinal)
            || (caller.Type == PrincipalTypes.AssumedRole && caller.RoleArn is { } role && Contains(_arns, role, StringComparison.Ordinal));
    }

    /// <summary>
    /// NotPrincipal (with Deny) leaves out a caller only when every identity IAM checks for it is named: the account,
    /// then for a session the role and the session ARN, for a user the user ARN. Naming a user without its account
    /// does not leave the user out, as the IAM guide warns.
    /// </summary>
    private bool Excludes(CallerPrincipal caller)
    {
        if (_everyone) return true;
        if (caller.Type == PrincipalTypes.Service)
            return caller.ServicePrincipal is { } service && Contains(_services, service, StringComparison.OrdinalIgnoreCase);
        if (!IsPerson(caller) || !Contains(_accounts, caller.AccountId, StringComparison.Ordinal)) return false;
        return caller.Type switch
        {
            PrincipalTypes.Account => true,
            PrincipalTypes.AssumedRole => Contains(_arns, caller.Arn, StringComparison.Ordinal)
                && caller.RoleArn is { } role && Contains(_arns, role, StringComparison.Ordinal),
            _ => Contains(_arns, caller.Arn, StringComparison.Ordinal),
        };
    }

    private static bool IsPerson(CallerPrincipal caller) => caller.Type is not (PrincipalTypes.Service or PrincipalTypes.Anonymous);

    private static bool Contains(string[] values, string value, StringComparison comparison)
    {
        foreach (var v in values)
        {
            if (string.Equals(v, value, comparison)) return true;
        }

        return false;
    }
}
