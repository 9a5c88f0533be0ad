using OrleansKms.Policy.Conditions;
using OrleansKms.Policy.Matching;

namespace OrleansKms.Policy;

/// <summary>One compiled statement of a <see cref="PolicyDocument"/>. Immutable; safe to evaluate concurrently.</summary>
public sealed class PolicyStatement
{
    private readonly ActionSet _actions;
    private readonly ResourceSet? _resources;
    private readonly PrincipalSet? _principals;
    private readonly CompiledCondition[] _conditions;

    internal PolicyStatement(int index, string? sid, bool deny, ActionSet actions, ResourceSet? resources, PrincipalSet? principals, CompiledCondition[] conditions)
    {
        Index = index;
        Sid = sid;
        IsDeny = deny;
        _actions = actions;
        _resources = resources;
        _principals = principals;
        _conditions = conditions;

        // Built once, so evaluating hands out these instead of allocating a match per request.
        var effect = Effect;
        AsMatch = new(index, sid, effect) { Principal = principals is null ? PrincipalMatch.None : PrincipalMatch.Caller };
        AsAccountMatch = new(index, sid, effect) { Principal = PrincipalMatch.Account };
    }

    /// <summary>The statement's position in the document, from 0.</summary>
    public int Index { get; }

    /// <summary>The statement's Sid, if it has one.</summary>
    public string? Sid { get; }

    /// <summary>"Allow" or "Deny".</summary>
    public string Effect => IsDeny ? "Deny" : "Allow";

    /// <summary>Whether the statement has a Condition element.</summary>
    public bool HasConditions => _conditions.Length > 0;

    internal bool IsDeny { get; }

    internal StatementMatch AsMatch { get; }

    internal StatementMatch AsAccountMatch { get; }

    /// <summary>
    /// Whether the statement applies to the request, and how its Principal took in the caller: cheapest test first
    /// (action, then principal, resource, conditions), and no allocation when it does not apply.
    /// </summary>
    internal PrincipalOutcome Applies(RequestContext request)
    {
        if (!_actions.Applies(request.Action)) return PrincipalOutcome.NoMatch;
        var principal = _principals?.Match(request.Principal) ?? PrincipalOutcome.Caller;
        if (principal == PrincipalOutcome.NoMatch) return principal;
        if (_resources is not null && !_resources.Applies(request)) return PrincipalOutcome.NoMatch;
        foreach (var condition in _conditions)
        {
            if (!condition.Evaluate(request)) return PrincipalOutcome.NoMatch;
        }

        return principal;
    }
}
