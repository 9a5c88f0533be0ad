using OrleansKms.Policy;

namespace OrleansKms.UnitTests.Policy;

/// <summary>Callers, keys and policy builders shared by the policy tests. Policies are written with ' for ".</summary>
internal static class Fx
{
    public const string A = "111122223333";
    public const string B = "444455556666";
    public const string Key1Arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    public const string OtherKeyArn = "arn:aws:kms:us-east-1:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab";
    public const string RootA = "arn:aws:iam::111122223333:root";
    public const string RootB = "arn:aws:iam::444455556666:root";
    public const string BobArn = "arn:aws:iam::111122223333:user/bob";
    public const string BobBArn = "arn:aws:iam::444455556666:user/bob";
    public const string RoleArn = "arn:aws:iam::111122223333:role/svc/app";
    public const string RoleBArn = "arn:aws:iam::444455556666:role/app";
    public const string SessionArn = "arn:aws:sts::111122223333:assumed-role/app/s1";

    public static readonly DateTimeOffset Now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly CallerPrincipal Bob = CallerPrincipal.User(A, "bob") with
    {
        UserId = "AIDABOB",
        Tags = new Dictionary<string, string> { ["team"] = "blue", ["Project"] = "apollo" },
    };

    public static readonly CallerPrincipal Alice = CallerPrincipal.User(A, "alice") with { UserId = "AIDAALICE" };
    public static readonly CallerPrincipal Root = CallerPrincipal.Root(A);
    public static readonly CallerPrincipal Session = CallerPrincipal.AssumedRole(A, "app", "s1", "/svc/") with { UserId = "AROAAPP:s1" };
    public static readonly CallerPrincipal OtherSession = CallerPrincipal.AssumedRole(A, "app", "s2", "/svc/") with { UserId = "AROAAPP:s2" };
    public static readonly CallerPrincipal BobB = CallerPrincipal.User(B, "bob");
    public static readonly CallerPrincipal RootOfB = CallerPrincipal.Root(B);
    public static readonly CallerPrincipal SessionB = CallerPrincipal.AssumedRole(B, "app", "s1");
    public static readonly CallerPrincipal S3 = CallerPrincipal.Service("s3.amazonaws.com");
    public static readonly CallerPrincipal Logs = CallerPrincipal.Service("logs.amazonaws.com");

    /// <summary>Turns ' into " so policies read without escapes.</summary>
    public static string J(string text) => text.Replace('\'', '"');

    public static string Doc(params string[] statements) => J($"{{'Version':'2012-10-17','Statement':[{string.Join(",", statements)}]}}");

    public static string LegacyDoc(params string[] statements) => J($"{{'Version':'2008-10-17','Statement':[{string.Join(",", statements)}]}}");

    /// <summary>A key policy statement; <paramref name="principal"/> is the Principal element's JSON, e.g. Aws(BobArn).</summary>
    public static string Stmt(string effect, string principal, string actions = "'kms:*'", string? condition = null, string resource = "'*'", string principalElement = "Principal") =>
        $"{{'Effect':'{effect}','{principalElement}':{principal},'Action':{actions},'Resource':{resource}{(condition is null ? "" : $",'Condition':{condition}")}}}";

    /// <summary>An identity policy statement (no principal).</summary>
    public static string IdStmt(string effect, string actions = "'kms:*'", string resource = "'*'", string? condition = null, string actionElement = "Action", string resourceElement = "Resource") =>
        $"{{'Effect':'{effect}','{actionElement}':{actions},'{resourceElement}':{resource}{(condition is null ? "" : $",'Condition':{condition}")}}}";

    public static string Aws(params string[] principals) => "{'AWS':[" + string.Join(",", principals.Select(p => $"'{p}'")) + "]}";

    public static string Service(string service) => $"{{'Service':'{service}'}}";

    public static string List(params string[] values) => "[" + string.Join(",", values.Select(v => $"'{v}'")) + "]";

    /// <summary>The default key policy: the key's account may use IAM policies for everything.</summary>
    public static readonly string DefaultKeyPolicy = Doc(Stmt("Allow", Aws(RootA)));

    public static string[] Ids(params string[] documents) => documents;

    public static readonly string IdAllowAll = Doc(IdStmt("Allow"));
    public static readonly string IdAllowEncrypt = Doc(IdStmt("Allow", "'kms:Encrypt'"));
    public static readonly string IdAllowDecrypt = Doc(IdStmt("Allow", "'kms:Decrypt'"));
    public static readonly string IdAllowThisKey = Doc(IdStmt("Allow", "'kms:*'", $"'{Fx.Key1Arn}'"));
    public static readonly string IdAllowOtherKey = Doc(IdStmt("Allow", "'kms:*'", $"'{OtherKeyArn}'"));
    public static readonly string IdDenyEncrypt = Doc(IdStmt("Deny", "'kms:Encrypt'"));
    public static readonly string IdDenyAll = Doc(IdStmt("Deny"));

    public static IReadOnlyDictionary<string, ConditionValue> Keys(params (string Key, ConditionValue Value)[] keys) =>
        keys.ToDictionary(k => k.Key, k => k.Value, StringComparer.OrdinalIgnoreCase);
}
