namespace OrleansKms.Policy;

/// <summary>AWS KMS's decision on one request, and for a denial which side refused.</summary>
public enum KmsDecisionKind
{
    /// <summary>Allowed: by the key policy, by the key policy with IAM policies, or by a grant.</summary>
    Allow,

    /// <summary>A Deny statement of the key policy applies.</summary>
    ExplicitDenyInResourcePolicy,

    /// <summary>A Deny statement of one of the caller's identity policies applies.</summary>
    ExplicitDenyInIdentityPolicy,

    /// <summary>The key policy allows neither the caller nor (to delegate to IAM) its account.</summary>
    NoResourcePolicyAllows,

    /// <summary>The key policy delegates to IAM (or there is no key), and no identity policy of the caller allows.</summary>
    NoIdentityPolicyAllows,
}

/// <summary>
/// The outcome of <see cref="KmsAuthorizer.Authorize"/>, with the statements that decided it: the Deny statements for
/// an explicit deny, the Allow statements for an allow (none when a grant allowed), none for an implicit deny. Each
/// statement comes with its source: <see cref="KeyPolicySource"/> or <see cref="IdentityPolicySource"/>(index).
/// </summary>
public sealed record KmsDecision(KmsDecisionKind Kind, IReadOnlyList<(string Source, StatementMatch Statement)> DecidingStatements)
{
    /// <summary>The source name of key policy statements.</summary>
    public const string KeyPolicySource = "KeyPolicy";

    private static readonly string[] IdentitySources = [.. Enumerable.Range(0, 16).Select(i => $"IdentityPolicy[{i}]")];

    /// <summary>Whether the request may proceed.</summary>
    public bool Allowed => Kind == KmsDecisionKind.Allow;

    /// <summary>
    /// Whether a grant, rather than a policy, allowed the request. (CloudTrail and the service's own metrics may want it.)
    /// </summary>
    public bool AllowedByGrant { get; init; }

    /// <summary>The source name of the identity policy at <paramref name="index"/> of the list given to the authorizer.</summary>
    public static string IdentityPolicySource(int index) =>
        index >= 0 && index < IdentitySources.Length ? IdentitySources[index] : $"IdentityPolicy[{index}]";

    /// <summary>
    /// AWS's AccessDeniedException message for this denial:
    /// "User: ARN is not authorized to perform: ACTION on resource: RESOURCE because no resource-based policy allows the ACTION action",
    /// or "... with an explicit deny in a resource-based policy", "... because no identity-based policy allows the ACTION action",
    /// "... with an explicit deny in an identity-based policy".
    /// </summary>
    /// <exception cref="InvalidOperationException">The decision is an allow.</exception>
    public string DenialMessage(RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reason = Kind switch
        {
            KmsDecisionKind.ExplicitDenyInResourcePolicy => "with an explicit deny in a resource-based policy",
            KmsDecisionKind.ExplicitDenyInIdentityPolicy => "with an explicit deny in an identity-based policy",
            KmsDecisionKind.NoResourcePolicyAllows => $"because no resource-based policy allows the {request.Action} action",
            KmsDecisionKind.NoIdentityPolicyAllows => $"because no identity-based policy allows the {request.Action} action",
            _ => throw new InvalidOperationException("The request is allowed: there is no denial message."),
        };
        return $"User: {request.Principal.Arn} is not authorized to perform: {request.Action} on resource: {request.Resource} {reason}";
    }
}
