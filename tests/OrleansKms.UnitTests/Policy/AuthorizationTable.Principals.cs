using OrleansKms.Policy;
using static OrleansKms.Policy.KmsDecisionKind;
using static OrleansKms.UnitTests.Policy.Fx;

namespace OrleansKms.UnitTests.Policy;

internal static partial class AuthorizationTable
{
    private const string Direct = "KMS key policies: a statement naming the caller allows on its own in the key's account";
    private const string Delegates = "KMS key policies: the account principal enables IAM policies, which must then allow";
    private const string RootRule = "KMS default key policy: the account's root user needs no IAM policy once its account is named";
    private const string NotNamed = "KMS: without the key policy's permission IAM policies have no effect";
    private const string Cross = "KMS cross-account: the key policy must allow the account or principal, and the caller's IAM policies must allow too";
    private const string RoleRule = "IAM principals: a role ARN in a resource policy matches every session of the role";

    private static readonly string KpBob = Doc(Stmt("Allow", Aws(BobArn), "['kms:Encrypt','kms:Decrypt']"));
    private static readonly string KpRole = Doc(Stmt("Allow", Aws(RoleArn), "'kms:Encrypt'"));
    private static readonly string KpRoleNoPath = Doc(Stmt("Allow", Aws("arn:aws:iam::111122223333:role/app"), "'kms:Encrypt'"));
    private static readonly string KpSession = Doc(Stmt("Allow", Aws(SessionArn), "'kms:Encrypt'"));
    private static readonly string KpBare = Doc(Stmt("Allow", Aws(A)));
    private static readonly string KpStar = Doc(Stmt("Allow", Aws("*"), "'kms:Encrypt'"));
    private static readonly string KpStarInAccount = Doc(Stmt("Allow", "'*'", "'kms:Encrypt'", "{'StringEquals':{'kms:CallerAccount':'111122223333'}}"));
    private static readonly string KpS3 = Doc(Stmt("Allow", Service("s3.amazonaws.com"), "['kms:Encrypt','kms:GenerateDataKey*']"));
    private static readonly string KpCrossRoot = Doc(Stmt("Allow", Aws(RootA)), Stmt("Allow", Aws(RootB), "['kms:Encrypt','kms:Decrypt']"));
    private static readonly string KpCrossUser = Doc(Stmt("Allow", Aws(RootA)), Stmt("Allow", Aws(BobBArn), "'kms:Encrypt'"));
    private static readonly string KpCrossRole = Doc(Stmt("Allow", Aws(RootA)), Stmt("Allow", Aws(RoleBArn), "'kms:Encrypt'"));
    private static readonly string KpAlice = Doc(Stmt("Allow", Aws("arn:aws:iam::111122223333:user/alice")));
    private static readonly string KpBobDecryptAndRoot = Doc(Stmt("Allow", Aws(RootA)), Stmt("Allow", Aws(BobArn), "'kms:Decrypt'"));
    private static readonly string KpRootEncryptOnly = Doc(Stmt("Allow", Aws(RootA), "'kms:Encrypt'"));

    private static AuthorizationCase Row(string name, CallerPrincipal who, string? key, string[] ids, KmsDecisionKind expected, string rule, string action = "kms:Encrypt", bool grant = false) =>
        new(name, who, action, key, ids, grant, expected, rule);

    private static IEnumerable<AuthorizationCase> PrincipalCases() =>
    [
        Row("user, default policy, no IAM policy", Bob, DefaultKeyPolicy, [], NoIdentityPolicyAllows, Delegates),
        Row("user, default policy, IAM allows all", Bob, DefaultKeyPolicy, [IdAllowAll], Allow, Delegates),
        Row("user, default policy, IAM allows the action", Bob, DefaultKeyPolicy, [IdAllowEncrypt], Allow, Delegates),
        Row("user, default policy, IAM allows another action", Bob, DefaultKeyPolicy, [IdAllowDecrypt], NoIdentityPolicyAllows, Delegates),
        Row("user, default policy, IAM names this key", Bob, DefaultKeyPolicy, [IdAllowThisKey], Allow, Delegates),
        Row("user, default policy, IAM names another key", Bob, DefaultKeyPolicy, [IdAllowOtherKey], NoIdentityPolicyAllows, Delegates),
        Row("user, default policy, second IAM policy allows", Bob, DefaultKeyPolicy, [IdAllowDecrypt, IdAllowEncrypt], Allow, "IAM: any identity policy's allow counts"),
        Row("user, bare account id enables IAM", Bob, KpBare, [IdAllowAll], Allow, "IAM principals: an account id is the account's root ARN"),
        Row("user, bare account id, no IAM policy", Bob, KpBare, [], NoIdentityPolicyAllows, Delegates),
        Row("user named in key policy, no IAM policy", Bob, KpBob, [], Allow, Direct),
        Row("user named for decrypt", Bob, KpBob, [], Allow, Direct, "kms:Decrypt"),
        Row("user named, action not listed", Bob, KpBob, [], NoResourcePolicyAllows, Direct, "kms:ReEncryptFrom"),
        Row("user named, IAM allows an unlisted action", Bob, KpBob, [IdAllowAll], NoResourcePolicyAllows, NotNamed, "kms:ScheduleKeyDeletion"),
        Row("other user named, IAM allows all", Bob, KpAlice, [IdAllowAll], NoResourcePolicyAllows, NotNamed),
        Row("AWS * names everyone", Bob, KpStar, [], Allow, "IAM principals: \"AWS\": \"*\" is every principal"),
        Row("* limited to the key's account by kms:CallerAccount", Bob, KpStarInAccount, [], Allow, "KMS: Principal * with kms:CallerAccount") with { Keys = Keys(("kms:CallerAccount", A)) },
        Row("root delegation limited to some actions: listed", Bob, KpRootEncryptOnly, [IdAllowAll], Allow, Delegates),
        Row("root delegation limited to some actions: not listed", Bob, KpRootEncryptOnly, [IdAllowAll], NoResourcePolicyAllows, NotNamed, "kms:Decrypt"),
        Row("user named for decrypt, account for the rest: decrypt", Bob, KpBobDecryptAndRoot, [], Allow, Direct, "kms:Decrypt"),
        Row("user named for decrypt, account for the rest: encrypt needs IAM", Bob, KpBobDecryptAndRoot, [], NoIdentityPolicyAllows, Delegates),
        Row("user named for decrypt, account for the rest: IAM allows encrypt", Bob, KpBobDecryptAndRoot, [IdAllowEncrypt], Allow, Delegates),
        Row("another user of the account is not named", Alice, KpBob, [IdAllowAll], NoResourcePolicyAllows, NotNamed),
        Row("the named other user", Alice, KpAlice, [], Allow, Direct),
        Row("root, default policy", Root, DefaultKeyPolicy, [], Allow, RootRule),
        Row("root, policy names a user only", Root, KpBob, [], NoResourcePolicyAllows, "KMS: no principal, the root user included, has permissions unless a policy allows it"),
        Row("root, bare account id", Root, KpBare, [], Allow, RootRule),
        Row("root, AWS *", Root, KpStar, [], Allow, "IAM principals: \"AWS\": \"*\" is every principal"),
        Row("root, account named for another action", Root, KpRootEncryptOnly, [], NoResourcePolicyAllows, RootRule, "kms:Decrypt"),
        Row("root, account named for the action", Root, KpRootEncryptOnly, [], Allow, RootRule),
        Row("session, role named (path kept)", Session, KpRole, [], Allow, RoleRule),
        Row("other session of the named role", OtherSession, KpRole, [], Allow, RoleRule),
        Row("session named by its session ARN", Session, KpSession, [], Allow, "IAM principals: an assumed-role session ARN names that session"),
        Row("other session when one session is named", OtherSession, KpSession, [], NoResourcePolicyAllows, "IAM principals: an assumed-role session ARN names that session"),
        Row("session, role named without its path", Session, KpRoleNoPath, [], NoResourcePolicyAllows, "IAM ARNs: a role's path is part of its ARN"),
        Row("session, default policy, role's IAM policy allows", Session, DefaultKeyPolicy, [IdAllowAll], Allow, Delegates),
        Row("session, default policy, no role policy", Session, DefaultKeyPolicy, [], NoIdentityPolicyAllows, Delegates),
        Row("session, other user named, role policy allows", Session, KpBob, [IdAllowAll], NoResourcePolicyAllows, NotNamed),
        Row("cross-account user, account B allowed, IAM allows", BobB, KpCrossRoot, [IdAllowAll], Allow, Cross),
        Row("cross-account user, account B allowed, no IAM policy", BobB, KpCrossRoot, [], NoIdentityPolicyAllows, Cross),
        Row("cross-account user, IAM allows another action", BobB, KpCrossRoot, [IdAllowDecrypt], NoIdentityPolicyAllows, Cross),
        Row("cross-account user, action not given to B", BobB, KpCrossRoot, [IdAllowAll], NoResourcePolicyAllows, Cross, "kms:ScheduleKeyDeletion"),
        Row("cross-account user, key policy names only A", BobB, DefaultKeyPolicy, [IdAllowAll], NoResourcePolicyAllows, Cross),
        Row("cross-account user named, no IAM policy", BobB, KpCrossUser, [], NoIdentityPolicyAllows, Cross),
        Row("cross-account user named, IAM allows", BobB, KpCrossUser, [IdAllowEncrypt], Allow, Cross),
        Row("cross-account user, AWS *, no IAM policy", BobB, KpStar, [], NoIdentityPolicyAllows, Cross),
        Row("cross-account user, AWS *, IAM allows", BobB, KpStar, [IdAllowAll], Allow, Cross),
        Row("cross-account root, account B allowed", RootOfB, KpCrossRoot, [], Allow, "KMS cross-account: the other account's root user needs no IAM policy"),
        Row("cross-account root, account B not allowed", RootOfB, DefaultKeyPolicy, [], NoResourcePolicyAllows, Cross),
        Row("cross-account root, action not given to B", RootOfB, KpCrossRoot, [], NoResourcePolicyAllows, Cross, "kms:Sign"),
        Row("cross-account session, role named, role policy allows", SessionB, KpCrossRole, [IdAllowAll], Allow, Cross),
        Row("cross-account session, role named, no role policy", SessionB, KpCrossRole, [], NoIdentityPolicyAllows, Cross),
        Row("cross-account session, account allowed, role policy allows", SessionB, KpCrossRoot, [IdAllowEncrypt], Allow, Cross),
        Row("cross-account user, * limited to A's callers", BobB, KpStarInAccount, [IdAllowAll], NoResourcePolicyAllows, "KMS: kms:CallerAccount is the caller's account") with { Keys = Keys(("kms:CallerAccount", B)) },
        Row("same user name in another account", BobB, KpBob, [IdAllowAll], NoResourcePolicyAllows, "IAM ARNs: the account is part of the user's ARN"),
        Row("cross-account IAM policy names the key ARN", BobB, KpCrossRoot, [IdAllowThisKey], Allow, Cross),
        Row("service principal named", S3, KpS3, [], Allow, "IAM principals: a service principal in a key policy"),
        Row("service principal, wildcard action", S3, KpS3, [], Allow, "IAM actions: * in an action name", "kms:GenerateDataKeyWithoutPlaintext"),
        Row("service principal, action not listed", S3, KpS3, [], NoResourcePolicyAllows, Direct, "kms:Decrypt"),
        Row("another service", Logs, KpS3, [], NoResourcePolicyAllows, Direct),
        Row("service, default policy", S3, DefaultKeyPolicy, [], NoResourcePolicyAllows, "KMS: naming the account does not name services"),
        Row("service, Principal *", S3, Doc(Stmt("Allow", "'*'", "'kms:Encrypt'")), [], Allow, "IAM principals: \"*\" is everyone"),
    ];
}
