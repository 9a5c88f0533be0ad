namespace OrleansKms.Policy;

/// <summary>What one policy document says about a request.</summary>
public enum PolicyResult
{
    /// <summary>No statement applies: the document neither allows nor denies (an implicit deny).</summary>
    NotApplicable,

    /// <summary>An Allow statement applies and no Deny statement does.</summary>
    Allow,

    /// <summary>A Deny statement applies; it wins over every Allow.</summary>
    ExplicitDeny,
}

/// <summary>How a key or trust policy statement's Principal took in the caller.</summary>
public enum PrincipalMatch
{
    /// <summary>The statement has no Principal (an identity policy).</summary>
    None,

    /// <summary>The statement names the caller itself: its ARN, its role's ARN, its service, "*", or it is a NotPrincipal that leaves the caller in.</summary>
    Caller,

    /// <summary>The statement names the caller's account (arn:aws:iam::ACCOUNT:root or "ACCOUNT"): IAM policies of that account decide.</summary>
    Account,
}

/// <summary>A statement that decided an evaluation: its index in the document, its Sid and its effect.</summary>
public sealed record StatementMatch(int Index, string? Sid, string Effect)
{
    /// <summary>How the statement's Principal took in the caller.</summary>
    public PrincipalMatch Principal { get; init; }
}

/// <summary>The result of evaluating one document, with the statements that decided it (the Deny statements for an explicit deny).</summary>
public sealed record PolicyEvaluation(PolicyResult Result, IReadOnlyList<StatementMatch> Statements)
{
    /// <summary>The evaluation of a document in which no statement applies.</summary>
    public static PolicyEvaluation NotApplicable { get; } = new(PolicyResult.NotApplicable, []);

    /// <summary>Whether an applying Allow statement names the caller itself rather than only its account.</summary>
    public bool AllowsCallerDirectly => Result == PolicyResult.Allow && Statements.Any(s => s.Principal != PrincipalMatch.Account);
}
