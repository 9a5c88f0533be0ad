using OrleansKms.Gateway.Protocol;

namespace OrleansKms.UnitTests.Gateway;

/// <summary>A gateway hosted without the grains has no policy evaluator: operations on no key fail closed.</summary>
public sealed class GatewayWithoutGrainsTests
{
    private static KmsCall Call(KmsCaller caller) => new(caller, ReadOnlyMemory<byte>.Empty, "us-east-1", null!);

    [Fact]
    public void Only_an_account_root_without_identity_policies_passes_and_anyone_else_is_AccessDeniedException()
    {
        var root = new KmsCaller("111122223333", "arn:aws:iam::111122223333:root", "ROOT");
        var user = new KmsCaller("111122223333", "arn:aws:iam::111122223333:user/bob", "BOB");

        Call(root).AuthorizeIdentity("kms:ListKeys");
        var e = Assert.Throws<KmsException>(() => Call(user).AuthorizeIdentity("kms:ListKeys"));
        Assert.Equal(KmsErrorCode.AccessDeniedException, e.Code);
        Assert.Equal("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:ListKeys on resource: * because no identity-based policy allows the kms:ListKeys action", e.Message);
        var restricted = root with { IdentityPolicies = ["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"] };
        Assert.Equal(KmsErrorCode.AccessDeniedException, Assert.Throws<KmsException>(() => Call(restricted).AuthorizeIdentity("kms:ListKeys")).Code);
    }
}
