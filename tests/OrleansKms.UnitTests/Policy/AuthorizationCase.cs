using OrleansKms.Policy;
using RequestContext = OrleansKms.Policy.RequestContext;

namespace OrleansKms.UnitTests.Policy;

/// <summary>
/// One row of the KMS decision table: who calls, what, against which key policy and identity policies, whether a
/// grant allows, with which condition keys; the decision AWS KMS makes and the documented rule it follows.
/// </summary>
internal sealed record AuthorizationCase(
    string Name,
    CallerPrincipal Caller,
    string Action,
    string? KeyPolicy,
    string[] IdentityPolicies,
    bool GrantAllows,
    KmsDecisionKind Expected,
    string Rule)
{
    public IReadOnlyDictionary<string, ConditionValue> Keys { get; init; } = Fx.Keys();

    public string? KeyAccountId { get; init; } = Fx.A;

    public string Resource { get; init; } = Fx.Key1Arn;

    public DateTimeOffset Now { get; init; } = Fx.Now;

    public RequestContext Request() => new()
    {
        Principal = Caller,
        Action = Action,
        Resource = Resource,
        ConditionKeys = Keys,
        Now = Now,
    };

    public KmsDecision Decide() => KmsAuthorizer.Authorize(
        Request(),
        KeyPolicy is null ? null : PolicyDocument.Parse(KeyPolicy, PolicyKind.KeyPolicy),
        KeyAccountId,
        [.. IdentityPolicies.Select(p => PolicyDocument.Parse(p, PolicyKind.IdentityPolicy))],
        GrantAllows);
}
