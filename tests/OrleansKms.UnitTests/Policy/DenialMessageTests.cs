using OrleansKms.Policy;
using static OrleansKms.UnitTests.Policy.Fx;
using RequestContext = OrleansKms.Policy.RequestContext;

namespace OrleansKms.UnitTests.Policy;

public sealed class DenialMessageTests
{
    private const string Prefix = "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Encrypt on resource: " + Key1Arn;

    private static RequestContext Request(CallerPrincipal who, string resource = Key1Arn, string action = "kms:Encrypt") =>
        new() { Principal = who, Action = action, Resource = resource, Now = Now };

    private static KmsDecision Decide(RequestContext request, string? keyPolicy, params string[] identity) =>
        KmsAuthorizer.Authorize(request, keyPolicy is null ? null : PolicyDocument.Parse(keyPolicy, PolicyKind.KeyPolicy), A,
            [.. identity.Select(p => PolicyDocument.Parse(p, PolicyKind.IdentityPolicy))], false);

    [Fact]
    public void No_resource_policy_allows()
    {
        var request = Request(Bob);
        var decision = Decide(request, Doc(Stmt("Allow", Aws("arn:aws:iam::111122223333:user/alice"))));
        Assert.Equal(Prefix + " because no resource-based policy allows the kms:Encrypt action", decision.DenialMessage(request));
    }

    [Fact]
    public void Explicit_deny_in_a_resource_based_policy()
    {
        var request = Request(Bob);
        var decision = Decide(request, Doc(Stmt("Allow", Aws(RootA)), Stmt("Deny", Aws(BobArn), "'kms:Encrypt'")), IdAllowAll);
        Assert.Equal(Prefix + " with an explicit deny in a resource-based policy", decision.DenialMessage(request));
        Assert.Equal((KmsDecision.KeyPolicySource, 1, "Deny"), (decision.DecidingStatements[0].Source, decision.DecidingStatements[0].Statement.Index, decision.DecidingStatements[0].Statement.Effect));
    }

    [Fact]
    public void No_identity_based_policy_allows()
    {
        var request = Request(Bob);
        var decision = Decide(request, DefaultKeyPolicy, IdAllowDecrypt);
        Assert.Equal(Prefix + " because no identity-based policy allows the kms:Encrypt action", decision.DenialMessage(request));
    }

    [Fact]
    public void Explicit_deny_in_an_identity_based_policy()
    {
        var request = Request(Bob);
        var decision = Decide(request, DefaultKeyPolicy, IdAllowAll, Doc("{'Sid':'NoEncrypt','Effect':'Deny','Action':'kms:Encrypt','Resource':'*'}"));
        Assert.Equal(Prefix + " with an explicit deny in an identity-based policy", decision.DenialMessage(request));
        Assert.Equal((KmsDecision.IdentityPolicySource(1), "NoEncrypt"), (decision.DecidingStatements[0].Source, decision.DecidingStatements[0].Statement.Sid));
    }

    [Fact]
    public void A_session_is_named_by_its_session_ARN_and_a_keyless_operation_by_star()
    {
        var request = Request(Session, "*", "kms:CreateKey");
        var decision = Decide(request, null);
        Assert.Equal("User: arn:aws:sts::111122223333:assumed-role/app/s1 is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action",
            decision.DenialMessage(request));
    }

    [Fact]
    public void An_allow_has_no_denial_message()
    {
        var request = Request(Bob);
        var decision = Decide(request, Doc(Stmt("Allow", Aws(BobArn))));
        Assert.True(decision.Allowed);
        Assert.Throws<InvalidOperationException>(() => decision.DenialMessage(request));
    }
}
