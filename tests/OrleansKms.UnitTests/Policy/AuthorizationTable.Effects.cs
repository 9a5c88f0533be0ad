using OrleansKms.Policy;
using static OrleansKms.Policy.KmsDecisionKind;
using static OrleansKms.UnitTests.Policy.Fx;

namespace OrleansKms.UnitTests.Policy;

internal static partial class AuthorizationTable
{
    private const string DenyWins = "IAM evaluation logic: an explicit deny in any policy overrides every allow";
    private const string GrantRule = "KMS grants: a grant allows its operations without the key policy or IAM policies";
    private const string NoKey = "KMS: CreateKey, ListKeys, ListAliases and GenerateRandom are controlled by IAM policies only";
    private const string ActionRule = "IAM Action: case-insensitive names, * and ? wildcards";
    private const string NotPrincipalRule = "IAM NotPrincipal with Deny: a caller is left out only when its account (and role) are named too";

    private static readonly string KpDenyBobDecrypt = Doc(Stmt("Allow", Aws(RootA)), Stmt("Allow", Aws(BobArn)), Stmt("Deny", Aws(BobArn), "'kms:Decrypt'"));
    private static readonly string KpDenyAccountEncrypt = Doc(Stmt("Allow", Aws(RootA)), Stmt("Deny", Aws(RootA), "'kms:Encrypt'"));
    private static readonly string KpDenyOtherAccount = Doc(Stmt("Allow", Aws(RootA)), Stmt("Allow", Aws(RootB)),
        Stmt("Deny", "'*'", "'kms:*'", "{'StringEquals':{'kms:CallerAccount':'444455556666'}}"));
    private static readonly string KpDenyInsecure = Doc(Stmt("Allow", Aws(BobArn)), Stmt("Deny", "'*'", "'kms:*'", "{'Bool':{'aws:SecureTransport':'false'}}"));
    private static readonly string KpDenySession = Doc(Stmt("Allow", Aws(RoleArn)), Stmt("Deny", Aws(SessionArn), "'kms:Encrypt'"));
    private static readonly string KpDenyRole = Doc(Stmt("Allow", Aws(RoleArn)), Stmt("Deny", Aws(RoleArn), "'kms:Encrypt'"));
    private static readonly string KpDenyS3 = Doc(Stmt("Allow", Service("s3.amazonaws.com")), Stmt("Deny", Service("s3.amazonaws.com"), "'kms:Encrypt'"));
    private static readonly string KpDenyAllButDecrypt = Doc(Stmt("Allow", Aws(BobArn)), J("{'Effect':'Deny','Principal':'*','NotAction':'kms:Decrypt','Resource':'*'}"));

    private static string KpBobActions(string actions) => Doc(Stmt("Allow", Aws(BobArn), actions));

    private static string KpDenyNotPrincipal(params string[] kept) =>
        Doc(Stmt("Allow", Aws("*")), Stmt("Deny", Aws(kept), "'kms:Encrypt'", principalElement: "NotPrincipal"));

    private static IEnumerable<AuthorizationCase> EffectCases() =>
    [
        Row("key policy denies the named user's decrypt", Bob, KpDenyBobDecrypt, [IdAllowAll], ExplicitDenyInResourcePolicy, DenyWins, "kms:Decrypt"),
        Row("key policy deny is for another action", Bob, KpDenyBobDecrypt, [IdAllowAll], Allow, DenyWins),
        Row("key policy deny beats a grant", Bob, KpDenyBobDecrypt, [], ExplicitDenyInResourcePolicy, DenyWins, "kms:Decrypt", grant: true),
        Row("IAM deny beats a key policy naming the user", Bob, KpBob, [IdDenyEncrypt], ExplicitDenyInIdentityPolicy, DenyWins),
        Row("IAM deny beats a grant", Bob, KpBob, [IdDenyEncrypt], ExplicitDenyInIdentityPolicy, DenyWins, grant: true),
        Row("IAM deny in a second policy beats the first's allow", Bob, DefaultKeyPolicy, [IdAllowAll, IdDenyEncrypt], ExplicitDenyInIdentityPolicy, DenyWins),
        Row("IAM deny for another action", Bob, DefaultKeyPolicy, [IdAllowAll, IdDenyEncrypt], Allow, DenyWins, "kms:Decrypt"),
        Row("deny naming the account denies its root", Root, KpDenyAccountEncrypt, [], ExplicitDenyInResourcePolicy, DenyWins),
        Row("deny naming the account denies its users", Bob, KpDenyAccountEncrypt, [IdAllowAll], ExplicitDenyInResourcePolicy, DenyWins),
        Row("deny of another account's callers", BobB, KpDenyOtherAccount, [IdAllowAll], ExplicitDenyInResourcePolicy, DenyWins) with { Keys = Keys(("kms:CallerAccount", B)) },
        Row("deny of another account's callers spares the key's account", Bob, KpDenyOtherAccount, [IdAllowAll], Allow, DenyWins) with { Keys = Keys(("kms:CallerAccount", A)) },
        Row("deny without TLS", Bob, KpDenyInsecure, [], ExplicitDenyInResourcePolicy, DenyWins) with { Keys = Keys(("aws:SecureTransport", "false")) },
        Row("deny without TLS, TLS used", Bob, KpDenyInsecure, [], Allow, DenyWins) with { Keys = Keys(("aws:SecureTransport", "true")) },
        Row("deny naming the session", Session, KpDenySession, [], ExplicitDenyInResourcePolicy, DenyWins),
        Row("deny naming one session spares another", OtherSession, KpDenySession, [], Allow, DenyWins),
        Row("deny naming the role covers its sessions", OtherSession, KpDenyRole, [], ExplicitDenyInResourcePolicy, RoleRule),
        Row("deny in both: the key policy's is reported", Bob, KpDenyBobDecrypt, [Doc(IdStmt("Deny", "'kms:Decrypt'"))], ExplicitDenyInResourcePolicy, DenyWins, "kms:Decrypt"),
        Row("cross-account IAM deny", BobB, KpCrossRoot, [IdAllowAll, IdDenyAll], ExplicitDenyInIdentityPolicy, DenyWins),
        Row("deny naming a service", S3, KpDenyS3, [], ExplicitDenyInResourcePolicy, DenyWins),
        Row("deny with NotAction denies the rest", Bob, KpDenyAllButDecrypt, [], ExplicitDenyInResourcePolicy, "IAM NotAction: every action but those listed"),
        Row("deny with NotAction spares the listed action", Bob, KpDenyAllButDecrypt, [], Allow, "IAM NotAction: every action but those listed", "kms:Decrypt"),
        Row("grant, caller not in key policy", Bob, KpAlice, [], Allow, GrantRule, grant: true),
        Row("no grant, caller not in key policy", Bob, KpAlice, [], NoResourcePolicyAllows, GrantRule),
        Row("grant to a cross-account user", BobB, DefaultKeyPolicy, [], Allow, GrantRule, grant: true),
        Row("grant, IAM would not allow", Bob, DefaultKeyPolicy, [], Allow, GrantRule, grant: true),
        Row("grant to a session", Session, KpAlice, [], Allow, GrantRule, grant: true),
        Row("grant, IAM denies", Bob, KpAlice, [IdDenyAll], ExplicitDenyInIdentityPolicy, DenyWins, grant: true),
        Row("grant to the root user", Root, KpAlice, [], Allow, GrantRule, grant: true),
        Row("CreateKey, IAM allows", Bob, null, [IdAllowAll], Allow, NoKey, "kms:CreateKey") with { Resource = "*" },
        Row("CreateKey, no IAM policy", Bob, null, [], NoIdentityPolicyAllows, NoKey, "kms:CreateKey") with { Resource = "*" },
        Row("CreateKey by the root user", Root, null, [], Allow, NoKey, "kms:CreateKey") with { Resource = "*" },
        Row("CreateKey, IAM names only a key ARN", Bob, null, [IdAllowThisKey], NoIdentityPolicyAllows, "IAM: CreateKey has no resource, so only Resource * matches", "kms:CreateKey") with { Resource = "*" },
        Row("ListAliases, IAM allows and denies", Bob, null, [IdAllowAll, IdDenyAll], ExplicitDenyInIdentityPolicy, DenyWins, "kms:ListAliases") with { Resource = "*" },
        Row("GenerateRandom, IAM allows only Encrypt", Bob, null, [IdAllowEncrypt], NoIdentityPolicyAllows, NoKey, "kms:GenerateRandom") with { Resource = "*" },
        Row("ListKeys by a session, role policy allows kms:List*", Session, null, [Doc(IdStmt("Allow", "'kms:List*'"))], Allow, NoKey, "kms:ListKeys") with { Resource = "*" },
        Row("action prefix wildcard matches", Bob, KpBobActions("'kms:Re*'"), [], Allow, ActionRule, "kms:ReEncryptFrom"),
        Row("action prefix wildcard does not match", Bob, KpBobActions("'kms:Re*'"), [], NoResourcePolicyAllows, ActionRule),
        Row("action names ignore case", Bob, KpBobActions("'KMS:encrypt'"), [], Allow, ActionRule),
        Row("? matches one character", Bob, KpBobActions("'kms:Encr?pt'"), [], Allow, ActionRule),
        Row("? does not match a different name", Bob, KpBobActions("'kms:Encr?pt'"), [], NoResourcePolicyAllows, ActionRule, "kms:Decrypt"),
        Row("* alone is every action", Bob, KpBobActions("'*'"), [], Allow, ActionRule, "kms:Sign"),
        Row("Generate* covers GenerateDataKeyPair", Bob, KpBobActions("'kms:Generate*'"), [], Allow, ActionRule, "kms:GenerateDataKeyPair"),
        Row("suffix wildcard matches", Bob, KpBobActions("'kms:*Key'"), [], Allow, ActionRule, "kms:DescribeKey"),
        Row("suffix wildcard does not match", Bob, KpBobActions("'kms:*Key'"), [], NoResourcePolicyAllows, ActionRule),
        Row("other service's actions", Bob, KpBobActions("'s3:*'"), [], NoResourcePolicyAllows, ActionRule),
        Row("NotAction allows the rest", Bob, Doc(J("{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::111122223333:user/bob'},'NotAction':'kms:ScheduleKeyDeletion','Resource':'*'}")), [], Allow, "IAM NotAction"),
        Row("NotAction excludes what it lists", Bob, Doc(J("{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::111122223333:user/bob'},'NotAction':'kms:ScheduleKeyDeletion','Resource':'*'}")), [], NoResourcePolicyAllows, "IAM NotAction", "kms:ScheduleKeyDeletion"),
        Row("NotResource of another key", Bob, DefaultKeyPolicy, [Doc(IdStmt("Allow", resource: $"'{OtherKeyArn}'", resourceElement: "NotResource"))], Allow, "IAM NotResource: every resource but those listed"),
        Row("NotResource of this key", Bob, DefaultKeyPolicy, [Doc(IdStmt("Allow", resource: $"'{Fx.Key1Arn}'", resourceElement: "NotResource"))], NoIdentityPolicyAllows, "IAM NotResource: every resource but those listed"),
        Row("resource wildcard over regions", Bob, DefaultKeyPolicy, [Doc(IdStmt("Allow", resource: "'arn:aws:kms:*:111122223333:key/*'"))], Allow, "IAM Resource: wildcards within ARN segments"),
        Row("resource in another region", Bob, DefaultKeyPolicy, [Doc(IdStmt("Allow", resource: "'arn:aws:kms:us-west-2:111122223333:key/*'"))], NoIdentityPolicyAllows, "IAM Resource: wildcards within ARN segments"),
        Row("resource names aliases, not keys", Bob, DefaultKeyPolicy, [Doc(IdStmt("Allow", resource: "'arn:aws:kms:us-east-1:111122223333:alias/*'"))], NoIdentityPolicyAllows, "IAM Resource"),
        Row("a segment-ending * runs across colons", Bob, DefaultKeyPolicy, [Doc(IdStmt("Allow", resource: "'arn:aws:kms:*'"))], Allow, "IAM Resource: a * ending a segment can match past colons"),
        Row("a mid-segment * stays in its segment", Bob, DefaultKeyPolicy, [Doc(IdStmt("Allow", resource: "'arn:aws:kms:us-*1:111122223333:key/*'"))], Allow, "IAM Resource: wildcards within ARN segments"),
        Row("resource ? is one character", Bob, DefaultKeyPolicy, [Doc(IdStmt("Allow", resource: "'arn:aws:kms:us-east-?:111122223333:key/*'"))], Allow, "IAM Resource: ? matches one character"),
        Row("NotPrincipal naming the user and its account spares the user", Bob, KpDenyNotPrincipal(BobArn, RootA), [], Allow, NotPrincipalRule),
        Row("NotPrincipal naming the user alone still denies it", Bob, KpDenyNotPrincipal(BobArn), [], ExplicitDenyInResourcePolicy, NotPrincipalRule),
        Row("NotPrincipal denies a user it does not name", Alice, KpDenyNotPrincipal(BobArn, RootA), [], ExplicitDenyInResourcePolicy, NotPrincipalRule),
        Row("NotPrincipal naming the account spares its root", Root, KpDenyNotPrincipal(RootA), [], Allow, NotPrincipalRule),
        Row("NotPrincipal naming only the account denies its users", Bob, KpDenyNotPrincipal(RootA), [], ExplicitDenyInResourcePolicy, NotPrincipalRule),
        Row("NotPrincipal naming account, role and session spares the session", Session, KpDenyNotPrincipal(RootA, RoleArn, SessionArn), [], Allow, NotPrincipalRule),
        Row("NotPrincipal naming account and role denies the session", Session, KpDenyNotPrincipal(RootA, RoleArn), [], ExplicitDenyInResourcePolicy, NotPrincipalRule),
    ];
}
