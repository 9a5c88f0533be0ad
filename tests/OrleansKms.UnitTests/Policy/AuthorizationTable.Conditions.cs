using OrleansKms.Policy;
using static OrleansKms.Policy.KmsDecisionKind;
using static OrleansKms.UnitTests.Policy.Fx;

namespace OrleansKms.UnitTests.Policy;

internal static partial class AuthorizationTable
{
    private const string Missing = "IAM condition operators: a key absent from the request makes the condition false";
    private const string NegatedMissing = "IAM condition operators: a negated operator is true when the key is absent";
    private const string IfExists = "IAM ...IfExists: true when the key is absent, otherwise the operator decides";
    private const string Or = "IAM conditions: several values of one key are ORed";
    private const string Nor = "IAM conditions: several values under a negated operator are NORed";
    private const string And = "IAM conditions: several keys and operators are ANDed";
    private const string Typed = "IAM conditions: a value the operator cannot read makes the condition false";
    private const string Str = "IAM String operators: exact, case-sensitive; IgnoreCase variants; Like with * and ?";
    private const string Num = "IAM Numeric operators";
    private const string Date = "IAM Date operators: ISO 8601 or epoch seconds";
    private const string Bin = "IAM BinaryEquals: base64 values compared as bytes";

    /// <summary>A key policy letting everyone encrypt under <paramref name="condition"/>; the caller is Bob unless given.</summary>
    private static AuthorizationCase Cond(string name, string condition, bool allowed, string rule, params (string, ConditionValue)[] keys) =>
        CondAs(Bob, name, condition, allowed, rule, keys);

    private static AuthorizationCase CondAs(CallerPrincipal who, string name, string condition, bool allowed, string rule, params (string, ConditionValue)[] keys) =>
        Row(name, who, Doc(Stmt("Allow", "'*'", "'kms:Encrypt'", condition)), [], allowed ? Allow : NoResourcePolicyAllows, rule) with { Keys = Keys(keys) };

    private const string AppWeb = "{'StringEquals':{'kms:EncryptionContext:app':'web'}}";
    private const string Mfa = "aws:MultiFactorAuthAge";
    private const string Ctx = "kms:EncryptionContext:app";

    private static IEnumerable<AuthorizationCase> ConditionCases() =>
    [
        Cond("StringEquals matches", AppWeb, true, Str, (Ctx, "web")),
        Cond("StringEquals values are case-sensitive", AppWeb, false, Str, (Ctx, "Web")),
        Cond("StringEquals, key absent", AppWeb, false, Missing),
        Cond("condition key names ignore case", "{'StringEquals':{'KMS:ENCRYPTIONCONTEXT:APP':'web'}}", true, "IAM: condition key names are case-insensitive", (Ctx, "web")),
        Cond("one of several values", "{'StringEquals':{'kms:EncryptionContext:app':['web','api']}}", true, Or, (Ctx, "api")),
        Cond("two keys, one absent", "{'StringEquals':{'kms:EncryptionContext:app':'web','kms:EncryptionContext:env':'prod'}}", false, And, (Ctx, "web")),
        Cond("two keys, both match", "{'StringEquals':{'kms:EncryptionContext:app':'web','kms:EncryptionContext:env':'prod'}}", true, And, (Ctx, "web"), ("kms:EncryptionContext:env", "prod")),
        Cond("two operators, both hold", "{'StringEquals':{'kms:EncryptionContext:app':'web'},'StringLike':{'kms:EncryptionContext:env':'pro*'}}", true, And, (Ctx, "web"), ("kms:EncryptionContext:env", "prod")),
        Cond("two operators, one fails", "{'StringEquals':{'kms:EncryptionContext:app':'web'},'StringLike':{'kms:EncryptionContext:env':'pro*'}}", false, And, (Ctx, "web"), ("kms:EncryptionContext:env", "dev")),
        Cond("StringNotEquals, other value", "{'StringNotEquals':{'kms:EncryptionContext:app':'web'}}", true, Str, (Ctx, "api")),
        Cond("StringNotEquals, same value", "{'StringNotEquals':{'kms:EncryptionContext:app':'web'}}", false, Str, (Ctx, "web")),
        Cond("StringNotEquals, key absent", "{'StringNotEquals':{'kms:EncryptionContext:app':'web'}}", true, NegatedMissing),
        Cond("StringNotEquals, one of the values", "{'StringNotEquals':{'kms:EncryptionContext:app':['web','api']}}", false, Nor, (Ctx, "api")),
        Cond("StringNotEquals, none of the values", "{'StringNotEquals':{'kms:EncryptionContext:app':['web','api']}}", true, Nor, (Ctx, "db")),
        Cond("StringEqualsIgnoreCase", "{'StringEqualsIgnoreCase':{'kms:EncryptionContext:app':'WEB'}}", true, Str, (Ctx, "web")),
        Cond("StringNotEqualsIgnoreCase", "{'StringNotEqualsIgnoreCase':{'kms:EncryptionContext:app':'WEB'}}", false, Str, (Ctx, "web")),
        Cond("StringLike *", "{'StringLike':{'kms:EncryptionContext:app':'we*'}}", true, Str, (Ctx, "web")),
        Cond("StringLike ?", "{'StringLike':{'kms:EncryptionContext:app':'w?b'}}", true, Str, (Ctx, "web")),
        Cond("StringLike ? is exactly one character", "{'StringLike':{'kms:EncryptionContext:app':'w?b'}}", false, Str, (Ctx, "weeb")),
        Cond("StringLike is case-sensitive", "{'StringLike':{'kms:EncryptionContext:app':'web*'}}", false, Str, (Ctx, "WEB")),
        Cond("StringNotLike, matching value", "{'StringNotLike':{'kms:EncryptionContext:app':'test-*'}}", false, Str, (Ctx, "test-1")),
        Cond("StringNotLike, other value", "{'StringNotLike':{'kms:EncryptionContext:app':'test-*'}}", true, Str, (Ctx, "prod")),
        Cond("StringNotLike, key absent", "{'StringNotLike':{'kms:EncryptionContext:app':'test-*'}}", true, NegatedMissing),
        Cond("StringEqualsIfExists, key absent", "{'StringEqualsIfExists':{'kms:EncryptionContext:app':'web'}}", true, IfExists),
        Cond("StringEqualsIfExists, other value", "{'StringEqualsIfExists':{'kms:EncryptionContext:app':'web'}}", false, IfExists, (Ctx, "api")),
        Cond("StringEqualsIfExists, same value", "{'StringEqualsIfExists':{'kms:EncryptionContext:app':'web'}}", true, IfExists, (Ctx, "web")),
        Cond("StringNotEqualsIfExists, key absent", "{'StringNotEqualsIfExists':{'kms:EncryptionContext:app':'web'}}", true, IfExists),
        Cond("StringEquals has no wildcards", "{'StringEquals':{'kms:EncryptionContext:app':'we*'}}", false, Str, (Ctx, "web")),
        Cond("StringEquals on a multivalued key: any value", "{'StringEquals':{'aws:TagKeys':'b'}}", true, Or, ("aws:TagKeys", ConditionValue.Of("a", "b"))),
        Cond("StringNotEquals on a multivalued key: no value may match", "{'StringNotEquals':{'aws:TagKeys':'b'}}", false, Nor, ("aws:TagKeys", ConditionValue.Of("a", "b"))),
        Cond("NumericLessThan, less", "{'NumericLessThan':{'aws:MultiFactorAuthAge':'3600'}}", true, Num, (Mfa, "100")),
        Cond("NumericLessThan, equal", "{'NumericLessThan':{'aws:MultiFactorAuthAge':'3600'}}", false, Num, (Mfa, "3600")),
        Cond("NumericLessThanEquals, equal", "{'NumericLessThanEquals':{'aws:MultiFactorAuthAge':'3600'}}", true, Num, (Mfa, "3600")),
        Cond("NumericGreaterThan, greater", "{'NumericGreaterThan':{'aws:MultiFactorAuthAge':'10'}}", true, Num, (Mfa, "11")),
        Cond("NumericGreaterThan, equal", "{'NumericGreaterThan':{'aws:MultiFactorAuthAge':'10'}}", false, Num, (Mfa, "10")),
        Cond("NumericGreaterThanEquals, equal", "{'NumericGreaterThanEquals':{'aws:MultiFactorAuthAge':'10'}}", true, Num, (Mfa, "10")),
        Cond("NumericEquals compares numbers, not text", "{'NumericEquals':{'aws:MultiFactorAuthAge':10}}", true, Num, (Mfa, "10.0")),
        Cond("NumericNotEquals, other number", "{'NumericNotEquals':{'aws:MultiFactorAuthAge':'10'}}", true, Num, (Mfa, "11")),
        Cond("NumericNotEquals, same number", "{'NumericNotEquals':{'aws:MultiFactorAuthAge':'10'}}", false, Num, (Mfa, "10")),
        Cond("NumericLessThan, key absent", "{'NumericLessThan':{'aws:MultiFactorAuthAge':'3600'}}", false, Missing),
        Cond("NumericLessThanIfExists, key absent", "{'NumericLessThanIfExists':{'aws:MultiFactorAuthAge':'3600'}}", true, IfExists),
        Cond("NumericLessThanIfExists, too large", "{'NumericLessThanIfExists':{'aws:MultiFactorAuthAge':'3600'}}", false, IfExists, (Mfa, "7200")),
        Cond("NumericLessThan, not a number", "{'NumericLessThan':{'aws:MultiFactorAuthAge':'3600'}}", false, Typed, (Mfa, "abc")),
        Cond("NumericNotEquals, not a number", "{'NumericNotEquals':{'aws:MultiFactorAuthAge':'10'}}", false, Typed, (Mfa, "abc")),
        Cond("NumericLessThan, decimals", "{'NumericLessThan':{'aws:MultiFactorAuthAge':'2.5'}}", true, Num, (Mfa, "2.25")),
        Cond("NumericGreaterThan, negative bound", "{'NumericGreaterThan':{'aws:MultiFactorAuthAge':'-1'}}", true, Num, (Mfa, "0")),
        Cond("DateLessThan aws:CurrentTime, before", "{'DateLessThan':{'aws:CurrentTime':'2025-01-01T00:00:00Z'}}", true, Date),
        Cond("DateGreaterThan aws:CurrentTime, not yet", "{'DateGreaterThan':{'aws:CurrentTime':'2025-01-01T00:00:00Z'}}", false, Date),
        Cond("DateGreaterThan a date without time", "{'DateGreaterThan':{'aws:CurrentTime':'2024-01-01'}}", true, Date),
        Cond("DateLessThan an epoch bound", "{'DateLessThan':{'aws:CurrentTime':'1735689600'}}", true, Date),
        Cond("DateGreaterThanEquals at the same instant", "{'DateGreaterThanEquals':{'aws:CurrentTime':'2024-06-01T12:00:00Z'}}", true, Date),
        Cond("DateEquals, same instant in another offset", "{'DateEquals':{'aws:CurrentTime':'2024-06-01T14:00:00+02:00'}}", true, Date),
        Cond("DateNotEquals, same instant", "{'DateNotEquals':{'aws:CurrentTime':'2024-06-01T12:00:00Z'}}", false, Date),
        Cond("DateLessThan aws:EpochTime", "{'DateLessThan':{'aws:EpochTime':'2025-01-01T00:00:00Z'}}", true, Date),
        Cond("NumericLessThan aws:EpochTime", "{'NumericLessThan':{'aws:EpochTime':1735689600}}", true, Num),
        Cond("NumericGreaterThan aws:EpochTime", "{'NumericGreaterThan':{'aws:EpochTime':1735689600}}", false, Num),
        Cond("DateLessThan a request date", "{'DateLessThan':{'aws:TokenIssueTime':'2024-05-01T00:00:00Z'}}", true, Date, ("aws:TokenIssueTime", ConditionValue.Of(new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.Zero)))),
        Cond("DateLessThan a request date in epoch seconds", "{'DateLessThan':{'aws:TokenIssueTime':'2024-05-01T00:00:00Z'}}", true, Date, ("aws:TokenIssueTime", "1711929600")),
        Cond("DateLessThan, key absent", "{'DateLessThan':{'aws:TokenIssueTime':'2024-05-01T00:00:00Z'}}", false, Missing),
        Cond("DateLessThanIfExists, key absent", "{'DateLessThanIfExists':{'aws:TokenIssueTime':'2024-05-01T00:00:00Z'}}", true, IfExists),
        Cond("DateLessThan, not a date", "{'DateLessThan':{'aws:TokenIssueTime':'2024-05-01T00:00:00Z'}}", false, Typed, ("aws:TokenIssueTime", "yesterday")),
        Cond("a request's aws:CurrentTime is used as sent", "{'DateLessThan':{'aws:CurrentTime':'2025-01-01T00:00:00Z'}}", false, Date, ("aws:CurrentTime", "2030-01-01T00:00:00Z")),
        Cond("Bool true", "{'Bool':{'aws:SecureTransport':'true'}}", true, "IAM Bool", ("aws:SecureTransport", ConditionValue.Of(true))),
        Cond("Bool false", "{'Bool':{'aws:SecureTransport':'true'}}", false, "IAM Bool", ("aws:SecureTransport", ConditionValue.Of(false))),
        Cond("Bool, key absent", "{'Bool':{'aws:SecureTransport':'true'}}", false, Missing),
        Cond("Bool with a JSON boolean", "{'Bool':{'aws:SecureTransport':true}}", true, "IAM Bool", ("aws:SecureTransport", "true")),
        Cond("Bool ignores the case of true", "{'Bool':{'aws:SecureTransport':'true'}}", true, "IAM Bool", ("aws:SecureTransport", "TRUE")),
        Cond("Bool, not a boolean", "{'Bool':{'aws:SecureTransport':'true'}}", false, Typed, ("aws:SecureTransport", "yes")),
        Cond("BoolIfExists, key absent", "{'BoolIfExists':{'aws:MultiFactorAuthPresent':'true'}}", true, IfExists),
        Cond("BoolIfExists, false", "{'BoolIfExists':{'aws:MultiFactorAuthPresent':'true'}}", false, IfExists, ("aws:MultiFactorAuthPresent", "false")),
        Cond("BinaryEquals, same bytes", "{'BinaryEquals':{'kms:Blob':'AQID'}}", true, Bin, ("kms:Blob", ConditionValue.OfBinary([1, 2, 3]))),
        Cond("BinaryEquals, other bytes", "{'BinaryEquals':{'kms:Blob':'AQID'}}", false, Bin, ("kms:Blob", ConditionValue.OfBinary([1, 2, 4]))),
        Cond("BinaryEquals, not base64", "{'BinaryEquals':{'kms:Blob':'AQID'}}", false, Typed, ("kms:Blob", "not base64!")),
        Cond("BinaryEqualsIfExists, key absent", "{'BinaryEqualsIfExists':{'kms:Blob':'AQID'}}", true, IfExists),
    ];
}
