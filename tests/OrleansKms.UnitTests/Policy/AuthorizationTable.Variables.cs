using OrleansKms.Policy;
using static OrleansKms.Policy.KmsDecisionKind;
using static OrleansKms.UnitTests.Policy.Fx;

namespace OrleansKms.UnitTests.Policy;

internal static partial class AuthorizationTable
{
    private const string Vars = "IAM policy variables: ${key} is replaced by the request's value of key (Version 2012-10-17)";
    private const string NoValue = "IAM policy variables: a variable without a value makes the statement not apply";
    private const string Special = "IAM policy variables: ${*}, ${?} and ${$} stand for a literal *, ? and $";
    private const string User = "kms:EncryptionContext:user";

    private static IEnumerable<AuthorizationCase> VariableCases() =>
    [
        Cond("${aws:username} equals the caller's name", "{'StringEquals':{'kms:EncryptionContext:user':'${aws:username}'}}", true, Vars, (User, "bob")),
        Cond("${aws:username}, another name", "{'StringEquals':{'kms:EncryptionContext:user':'${aws:username}'}}", false, Vars, (User, "alice")),
        Cond("variable names ignore case", "{'StringEquals':{'kms:EncryptionContext:user':'${AWS:UserName}'}}", true, Vars, (User, "bob")),
        CondAs(Session, "${aws:username} has no value for a session", "{'StringEquals':{'kms:EncryptionContext:user':'${aws:username}'}}", false, NoValue, (User, "app")),
        CondAs(Session, "StringNotEquals with a variable without value", "{'StringNotEquals':{'kms:EncryptionContext:user':'${aws:username}'}}", false, NoValue, (User, "app")),
        Cond("StringLike with a variable prefix", "{'StringLike':{'kms:EncryptionContext:path':'${aws:username}/*'}}", true, Vars, ("kms:EncryptionContext:path", "bob/reports")),
        Cond("StringLike with a variable prefix, another user's path", "{'StringLike':{'kms:EncryptionContext:path':'${aws:username}/*'}}", false, Vars, ("kms:EncryptionContext:path", "alice/reports")),
        Cond("${aws:PrincipalTag/team}", "{'StringEquals':{'kms:EncryptionContext:team':'${aws:PrincipalTag/team}'}}", true, Vars, ("kms:EncryptionContext:team", "blue")),
        Cond("${aws:PrincipalTag/team}, another team", "{'StringEquals':{'kms:EncryptionContext:team':'${aws:PrincipalTag/team}'}}", false, Vars, ("kms:EncryptionContext:team", "red")),
        Cond("${aws:PrincipalAccount} in kms:CallerAccount", "{'StringEquals':{'kms:CallerAccount':'${aws:PrincipalAccount}'}}", true, Vars, ("kms:CallerAccount", A)),
        Cond("${aws:PrincipalArn} of a user", "{'StringEquals':{'kms:EncryptionContext:owner':'${aws:PrincipalArn}'}}", true, Vars, ("kms:EncryptionContext:owner", BobArn)),
        CondAs(Session, "${aws:PrincipalArn} of a session is its role", "{'StringEquals':{'kms:EncryptionContext:owner':'${aws:PrincipalArn}'}}", true, Vars, ("kms:EncryptionContext:owner", RoleArn)),
        Cond("${aws:userid}", "{'StringEquals':{'kms:EncryptionContext:owner':'${aws:userid}'}}", true, Vars, ("kms:EncryptionContext:owner", "AIDABOB")),
        Cond("a request key as a variable", "{'StringEquals':{'kms:EncryptionContext:tenant':'${aws:RequestTag/tenant}'}}", true, Vars, ("kms:EncryptionContext:tenant", "t1"), ("aws:RequestTag/tenant", "t1")),
        Cond("a multivalued key is no variable", "{'StringEquals':{'kms:EncryptionContext:x':'${aws:TagKeys}'}}", false, "IAM: a multivalued key cannot be a policy variable", ("kms:EncryptionContext:x", "a"), ("aws:TagKeys", ConditionValue.Of("a", "b"))),
        Cond("a default value for a missing variable", "{'StringEquals':{'kms:EncryptionContext:cost':'${aws:PrincipalTag/cost, \\u0027none\\u0027}'}}", true, "IAM policy variables: ${key, 'default'}", ("kms:EncryptionContext:cost", "none")),
        Cond("the default is not used when the variable has a value", "{'StringEquals':{'kms:EncryptionContext:team':'${aws:PrincipalTag/team, \\u0027none\\u0027}'}}", true, "IAM policy variables: ${key, 'default'}", ("kms:EncryptionContext:team", "blue")),
        Cond("${*} is a literal *", "{'StringLike':{'kms:EncryptionContext:app':'a${*}b'}}", true, Special, (Ctx, "a*b")),
        Cond("${*} is not a wildcard", "{'StringLike':{'kms:EncryptionContext:app':'a${*}b'}}", false, Special, (Ctx, "axb")),
        Cond("${?} is a literal ?", "{'StringLike':{'kms:EncryptionContext:app':'a${?}'}}", true, Special, (Ctx, "a?")),
        Cond("${?} is not a wildcard", "{'StringLike':{'kms:EncryptionContext:app':'a${?}'}}", false, Special, (Ctx, "ab")),
        Cond("${$} is a literal $", "{'StringEquals':{'kms:EncryptionContext:app':'cost${$}'}}", true, Special, (Ctx, "cost$")),
        Row("Version 2008-10-17 has no variables", Bob, LegacyDoc(Stmt("Allow", "'*'", "'kms:Encrypt'", "{'StringEquals':{'kms:EncryptionContext:user':'${aws:username}'}}")), [], Allow,
            "IAM Version: policy variables need 2012-10-17; before, ${...} is text") with { Keys = Keys((User, "${aws:username}")) },
        Row("Version 2008-10-17, the name does not match", Bob, LegacyDoc(Stmt("Allow", "'*'", "'kms:Encrypt'", "{'StringEquals':{'kms:EncryptionContext:user':'${aws:username}'}}")), [], NoResourcePolicyAllows,
            "IAM Version: policy variables need 2012-10-17; before, ${...} is text") with { Keys = Keys((User, "bob")) },
        Row("a variable in an identity policy's resource", Bob, DefaultKeyPolicy, [Doc(IdStmt("Allow", resource: "'arn:aws:kms:*:${aws:PrincipalAccount}:key/*'"))], Allow, Vars),
        Row("a variable in a resource names another account", BobB, KpCrossRoot, [Doc(IdStmt("Allow", resource: "'arn:aws:kms:*:${aws:PrincipalAccount}:key/*'"))], NoIdentityPolicyAllows, Vars),
        Row("a resource variable without value", Session, DefaultKeyPolicy, [Doc(IdStmt("Allow", resource: "'arn:aws:kms:*:*:key/${aws:username}'"))], NoIdentityPolicyAllows, NoValue),
        Row("a NotResource variable without value", Session, DefaultKeyPolicy, [Doc(IdStmt("Allow", resource: "'arn:aws:kms:*:*:key/${aws:username}'", resourceElement: "NotResource"))], NoIdentityPolicyAllows, NoValue),
        Row("a tag variable in a key policy deny", Bob, Doc(Stmt("Allow", Aws(BobArn)), Stmt("Deny", "'*'", "'kms:*'", "{'StringNotEquals':{'kms:EncryptionContext:team':'${aws:PrincipalTag/team}'}}")), [],
            ExplicitDenyInResourcePolicy, Vars) with { Keys = Keys(("kms:EncryptionContext:team", "red")) },
        Row("a tag variable in a key policy deny, own team", Bob, Doc(Stmt("Allow", Aws(BobArn)), Stmt("Deny", "'*'", "'kms:*'", "{'StringNotEquals':{'kms:EncryptionContext:team':'${aws:PrincipalTag/team}'}}")), [],
            Allow, Vars) with { Keys = Keys(("kms:EncryptionContext:team", "blue")) },
    ];
}
