using OrleansKms.Policy.Matching;

namespace OrleansKms.Policy;

/// <summary>Evaluates one compiled policy document against a request, as IAM does: an applying Deny wins.</summary>
public static class PolicyEvaluator
{
    /// <summary>
    /// Which statements of <paramref name="policy"/> apply to <paramref name="request"/>: ExplicitDeny with the Deny
    /// statements if any applies, else Allow with the Allow statements, else NotApplicable. Allocates nothing when no
    /// statement applies.
    /// </summary>
    public static PolicyEvaluation Evaluate(PolicyDocument policy, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(request);
        var matches = Collect(policy, request);
        return matches.ToEvaluation();
    }

    internal static Matches Collect(PolicyDocument policy, RequestContext request)
    {
        var matches = default(Matches);
        foreach (var statement in policy.CompiledStatements)
        {
            var outcome = statement.Applies(request);
            if (outcome == PrincipalOutcome.NoMatch) continue;
            if (statement.IsDeny) (matches.Denies ??= []).Add(statement.AsMatch);
            else if (outcome == PrincipalOutcome.Account) (matches.Allows ??= []).Add(statement.AsAccountMatch);
            else
            {
                (matches.Allows ??= []).Add(statement.AsMatch);
                matches.AllowsCaller = true;
            }
        }

        return matches;
    }

    /// <summary>The applying statements of one document; the lists exist only once something applies.</summary>
    internal struct Matches
    {
        public List<StatementMatch>? Denies;
        public List<StatementMatch>? Allows;
        public bool AllowsCaller;

        public readonly bool Denied => Denies is not null;

        public readonly bool Allowed => Allows is not null;

        public readonly bool AllowsAccountOnly => Allows is not null && !AllowsCaller;

        public readonly PolicyEvaluation ToEvaluation() =>
            Denies is not null ? new(PolicyResult.ExplicitDeny, Denies)
            : Allows is not null ? new(PolicyResult.Allow, Allows)
            : PolicyEvaluation.NotApplicable;
    }
}
