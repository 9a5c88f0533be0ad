using System.Net;
using OrleansKms.Policy;
using static OrleansKms.UnitTests.Policy.Fx;

namespace OrleansKms.UnitTests.Policy;

internal static partial class AuthorizationTable
{
    private const string Ip = "IAM IpAddress: CIDR blocks, IPv4 and IPv6";
    private const string Arn = "IAM ARN operators: each colon-separated segment matched on its own, * and ? allowed";
    private const string NullRule = "IAM Null: true means the key is absent (or empty), false that it has a value";
    private const string Global = "IAM global keys: aws:PrincipalArn (a session's role ARN), aws:PrincipalAccount, aws:PrincipalType, aws:userid, aws:username, aws:PrincipalTag";
    private const string AnyValue = "IAM ForAnyValue: at least one request value satisfies the operator; false when the key is absent or empty";
    private const string AllValues = "IAM ForAllValues: every request value satisfies the operator; true when the key is absent or empty";
    private const string SourceIp = "aws:SourceIp";

    private static (string, ConditionValue) From(string address) => (SourceIp, ConditionValue.Of(IPAddress.Parse(address)));

    private static IEnumerable<AuthorizationCase> KeyCases() =>
    [
        Cond("IpAddress, inside the block", "{'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}}", true, Ip, From("203.0.113.5")),
        Cond("IpAddress, outside the block", "{'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}}", false, Ip, From("198.51.100.1")),
        Cond("IpAddress, one address", "{'IpAddress':{'aws:SourceIp':'203.0.113.5'}}", true, Ip, From("203.0.113.5")),
        Cond("IpAddress, another address", "{'IpAddress':{'aws:SourceIp':'203.0.113.5'}}", false, Ip, From("203.0.113.6")),
        Cond("IpAddress, IPv6 block", "{'IpAddress':{'aws:SourceIp':'2001:DB8:1234::/48'}}", true, Ip, From("2001:db8:1234:5678::1")),
        Cond("IpAddress, outside the IPv6 block", "{'IpAddress':{'aws:SourceIp':'2001:DB8:1234::/48'}}", false, Ip, From("2001:db8:9999::1")),
        Cond("IpAddress, IPv4 caller and IPv6 block", "{'IpAddress':{'aws:SourceIp':'2001:DB8::/32'}}", false, Ip, From("203.0.113.5")),
        Cond("IpAddress, IPv4-mapped IPv6 caller", "{'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}}", true, Ip, (SourceIp, "::ffff:203.0.113.5")),
        Cond("IpAddress, block not on a byte boundary: inside", "{'IpAddress':{'aws:SourceIp':'203.0.113.128/25'}}", true, Ip, From("203.0.113.200")),
        Cond("IpAddress, block not on a byte boundary: outside", "{'IpAddress':{'aws:SourceIp':'203.0.113.128/25'}}", false, Ip, From("203.0.113.100")),
        Cond("IpAddress, /0", "{'IpAddress':{'aws:SourceIp':'0.0.0.0/0'}}", true, Ip, From("198.51.100.1")),
        Cond("IpAddress, one of several blocks", "{'IpAddress':{'aws:SourceIp':['10.0.0.0/8','203.0.113.0/24']}}", true, Or, From("203.0.113.9")),
        Cond("IpAddress, key absent", "{'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}}", false, Missing),
        Cond("IpAddressIfExists, key absent", "{'IpAddressIfExists':{'aws:SourceIp':'203.0.113.0/24'}}", true, IfExists),
        Cond("IpAddress, not an address", "{'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}}", false, Typed, (SourceIp, "vpce-1a2b3c4d")),
        Cond("NotIpAddress, outside", "{'NotIpAddress':{'aws:SourceIp':'10.0.0.0/8'}}", true, Ip, From("203.0.113.5")),
        Cond("NotIpAddress, inside", "{'NotIpAddress':{'aws:SourceIp':'10.0.0.0/8'}}", false, Ip, From("10.1.2.3")),
        Cond("NotIpAddress, key absent", "{'NotIpAddress':{'aws:SourceIp':'10.0.0.0/8'}}", true, NegatedMissing),
        Cond("NotIpAddress, IPv6 inside", "{'NotIpAddress':{'aws:SourceIp':'2001:db8::/32'}}", false, Ip, From("2001:db8::7")),
        CondAs(Session, "ArnLike aws:PrincipalArn of a session is its role's ARN", "{'ArnLike':{'aws:PrincipalArn':'arn:aws:iam::111122223333:role/svc/*'}}", true, Global),
        CondAs(Session, "ArnLike aws:PrincipalArn is not the session ARN", "{'ArnLike':{'aws:PrincipalArn':'arn:aws:sts::111122223333:assumed-role/*'}}", false, Global),
        Cond("ArnEquals aws:PrincipalArn, the user", "{'ArnEquals':{'aws:PrincipalArn':'arn:aws:iam::111122223333:user/bob'}}", true, Arn),
        CondAs(Alice, "ArnEquals aws:PrincipalArn, another user", "{'ArnEquals':{'aws:PrincipalArn':'arn:aws:iam::111122223333:user/bob'}}", false, Arn),
        Cond("ArnNotLike, matching", "{'ArnNotLike':{'aws:PrincipalArn':'arn:aws:iam::111122223333:user/*'}}", false, Arn),
        CondAs(Session, "ArnNotLike, not matching", "{'ArnNotLike':{'aws:PrincipalArn':'arn:aws:iam::111122223333:user/*'}}", true, Arn),
        Cond("ArnLike aws:SourceArn", "{'ArnLike':{'aws:SourceArn':'arn:aws:s3:::bucket-*'}}", true, Arn, ("aws:SourceArn", "arn:aws:s3:::bucket-1")),
        Cond("ArnLike, key absent", "{'ArnLike':{'aws:SourceArn':'arn:aws:s3:::bucket-*'}}", false, Missing),
        Cond("ArnLikeIfExists, key absent", "{'ArnLikeIfExists':{'aws:SourceArn':'arn:aws:s3:::bucket-*'}}", true, IfExists),
        Cond("ArnLike, value not an ARN", "{'ArnLike':{'aws:SourceArn':'*'}}", false, Typed, ("aws:SourceArn", "bucket-1")),
        Cond("ArnLike, * for a whole segment", "{'ArnLike':{'aws:PrincipalArn':'arn:aws:iam::*:user/bob'}}", true, Arn),
        Cond("ArnLike, the resource segment may hold colons", "{'ArnLike':{'aws:SourceArn':'arn:aws:s3:::a*z'}}", true, Arn, ("aws:SourceArn", "arn:aws:s3:::a:b:z")),
        Cond("ArnLike, a mid-segment * stays in its segment", "{'ArnLike':{'aws:SourceArn':'arn:aws:kms:us-*1:111122223333:key/k'}}", false, Arn, ("aws:SourceArn", "arn:aws:kms:us-east:x1:111122223333:key/k")),
        Cond("ArnEquals takes wildcards as ArnLike does", "{'ArnEquals':{'aws:PrincipalArn':'arn:aws:iam::111122223333:user/b?b'}}", true, Arn),
        Cond("ArnNotEquals, key absent", "{'ArnNotEquals':{'aws:SourceArn':'arn:aws:s3:::bucket-1'}}", true, NegatedMissing),
        Cond("Null true, key absent", "{'Null':{'kms:EncryptionContext:app':'true'}}", true, NullRule),
        Cond("Null true, key present", "{'Null':{'kms:EncryptionContext:app':'true'}}", false, NullRule, (Ctx, "web")),
        Cond("Null false, key present", "{'Null':{'kms:EncryptionContext:app':'false'}}", true, NullRule, (Ctx, "web")),
        Cond("Null false, key absent", "{'Null':{'kms:EncryptionContext:app':'false'}}", false, NullRule),
        Cond("Null true, key empty", "{'Null':{'aws:TagKeys':'true'}}", true, NullRule, ("aws:TagKeys", ConditionValue.Empty)),
        Cond("kms:CallerAccount", "{'StringEquals':{'kms:CallerAccount':'111122223333'}}", true, "KMS condition keys: kms:CallerAccount", ("kms:CallerAccount", A)),
        Cond("kms:ViaService", "{'StringEquals':{'kms:ViaService':'ec2.us-east-1.amazonaws.com'}}", true, "KMS condition keys: kms:ViaService", ("kms:ViaService", "ec2.us-east-1.amazonaws.com")),
        Cond("kms:ViaService, direct call", "{'StringEquals':{'kms:ViaService':'ec2.us-east-1.amazonaws.com'}}", false, Missing),
        Cond("aws:PrincipalAccount from the caller", "{'StringEquals':{'aws:PrincipalAccount':'111122223333'}}", true, Global),
        Cond("aws:PrincipalAccount, another account", "{'StringEquals':{'aws:PrincipalAccount':'444455556666'}}", false, Global),
        Cond("a key the request sends wins over the caller's", "{'StringEquals':{'aws:PrincipalAccount':'111122223333'}}", false, "The request context is authoritative", ("aws:PrincipalAccount", B)),
        Cond("aws:PrincipalType of a user", "{'StringEquals':{'aws:PrincipalType':'User'}}", true, Global),
        CondAs(Session, "aws:PrincipalType of a session", "{'StringEquals':{'aws:PrincipalType':'AssumedRole'}}", true, Global),
        CondAs(Root, "aws:PrincipalType of a root user", "{'StringEquals':{'aws:PrincipalType':'Account'}}", true, Global),
        Cond("aws:userid of a user", "{'StringEquals':{'aws:userid':'AIDABOB'}}", true, Global),
        CondAs(Session, "aws:userid of a session", "{'StringLike':{'aws:userid':'AROAAPP:*'}}", true, Global),
        CondAs(Root, "aws:userid of a root user is the account", "{'StringEquals':{'aws:userid':'111122223333'}}", true, Global),
        Cond("aws:username of a user", "{'StringEquals':{'aws:username':'bob'}}", true, Global),
        CondAs(Session, "aws:username is absent for a session", "{'StringEquals':{'aws:username':'app'}}", false, Global),
        CondAs(Session, "StringNotEquals aws:username, absent for a session", "{'StringNotEquals':{'aws:username':'bob'}}", true, NegatedMissing),
        Cond("aws:PrincipalTag", "{'StringEquals':{'aws:PrincipalTag/team':'blue'}}", true, Global),
        Cond("aws:PrincipalTag, other value", "{'StringEquals':{'aws:PrincipalTag/team':'red'}}", false, Global),
        Cond("aws:PrincipalTag keys ignore case", "{'StringEquals':{'aws:PrincipalTag/TEAM':'blue'}}", true, Global),
        Cond("aws:PrincipalTag, untagged key", "{'StringEquals':{'aws:PrincipalTag/cost':'1'}}", false, Missing),
        Cond("aws:RequestedRegion", "{'StringEquals':{'aws:RequestedRegion':['us-east-1','eu-west-1']}}", true, Or, ("aws:RequestedRegion", "us-east-1")),
        Cond("aws:ResourceTag", "{'StringEquals':{'aws:ResourceTag/env':'prod'}}", true, Str, ("aws:ResourceTag/env", "prod")),
        Cond("ForAnyValue, one value listed", "{'ForAnyValue:StringEquals':{'aws:TagKeys':['a','b']}}", true, AnyValue, ("aws:TagKeys", ConditionValue.Of("b", "c"))),
        Cond("ForAnyValue, no value listed", "{'ForAnyValue:StringEquals':{'aws:TagKeys':['a','b']}}", false, AnyValue, ("aws:TagKeys", ConditionValue.Of("c", "d"))),
        Cond("ForAnyValue, key absent", "{'ForAnyValue:StringEquals':{'aws:TagKeys':['a','b']}}", false, AnyValue),
        Cond("ForAnyValue, key empty", "{'ForAnyValue:StringEquals':{'aws:TagKeys':['a','b']}}", false, AnyValue, ("aws:TagKeys", ConditionValue.Empty)),
        Cond("ForAllValues, a subset", "{'ForAllValues:StringEquals':{'aws:TagKeys':['a','b']}}", true, AllValues, ("aws:TagKeys", ConditionValue.Of("a"))),
        Cond("ForAllValues, one value not listed", "{'ForAllValues:StringEquals':{'aws:TagKeys':['a','b']}}", false, AllValues, ("aws:TagKeys", ConditionValue.Of("a", "c"))),
        Cond("ForAllValues, key absent", "{'ForAllValues:StringEquals':{'aws:TagKeys':['a','b']}}", true, AllValues),
        Cond("ForAllValues, key empty", "{'ForAllValues:StringEquals':{'aws:TagKeys':['a','b']}}", true, AllValues, ("aws:TagKeys", ConditionValue.Empty)),
        Cond("ForAllValues and Null false: key absent", "{'ForAllValues:StringEquals':{'aws:TagKeys':['a']},'Null':{'aws:TagKeys':'false'}}", false, NullRule),
        Cond("ForAllValues:StringLike", "{'ForAllValues:StringLike':{'aws:TagKeys':'Created*'}}", true, AllValues, ("aws:TagKeys", ConditionValue.Of("CreatedBy", "CreatedAt"))),
        Cond("ForAnyValue:StringNotEquals, one value unlisted", "{'ForAnyValue:StringNotEquals':{'aws:TagKeys':'a'}}", true, AnyValue, ("aws:TagKeys", ConditionValue.Of("a", "b"))),
        Cond("ForAnyValue:StringNotEquals, every value listed", "{'ForAnyValue:StringNotEquals':{'aws:TagKeys':'a'}}", false, AnyValue, ("aws:TagKeys", ConditionValue.Of("a"))),
        Cond("ForAnyValue:StringNotEquals, key absent", "{'ForAnyValue:StringNotEquals':{'aws:TagKeys':'a'}}", false, AnyValue),
        Cond("ForAllValues:StringNotEquals, no value listed", "{'ForAllValues:StringNotEquals':{'aws:TagKeys':'a'}}", true, AllValues, ("aws:TagKeys", ConditionValue.Of("b", "c"))),
        Cond("ForAllValues:StringNotEquals, one value listed", "{'ForAllValues:StringNotEquals':{'aws:TagKeys':'a'}}", false, AllValues, ("aws:TagKeys", ConditionValue.Of("a", "b"))),
        Cond("ForAllValues:StringNotEquals, key absent", "{'ForAllValues:StringNotEquals':{'aws:TagKeys':'a'}}", true, AllValues),
        Cond("ForAllValues:StringNotLike", "{'ForAllValues:StringNotLike':{'aws:TagKeys':'tmp*'}}", true, AllValues, ("aws:TagKeys", ConditionValue.Of("x", "y"))),
        Cond("ForAnyValue:StringEqualsIfExists, key absent", "{'ForAnyValue:StringEqualsIfExists':{'aws:TagKeys':'a'}}", true, IfExists),
        Cond("ForAnyValue:StringEqualsIgnoreCase", "{'ForAnyValue:StringEqualsIgnoreCase':{'aws:TagKeys':'OWNER'}}", true, AnyValue, ("aws:TagKeys", ConditionValue.Of("owner"))),
        Cond("kms:EncryptionContextKeys, only allowed keys", "{'ForAllValues:StringEquals':{'kms:EncryptionContextKeys':['app','env']}}", true, AllValues, ("kms:EncryptionContextKeys", ConditionValue.Of("app"))),
        Cond("kms:GrantOperations, an operation not allowed", "{'ForAllValues:StringEquals':{'kms:GrantOperations':['Encrypt','Decrypt']}}", false, AllValues, ("kms:GrantOperations", ConditionValue.Of("Encrypt", "Sign"))),
        Cond("kms:GrantOperations, allowed operations", "{'ForAllValues:StringEquals':{'kms:GrantOperations':['Encrypt','Decrypt']}}", true, AllValues, ("kms:GrantOperations", ConditionValue.Of("Decrypt", "Encrypt"))),
    ];
}
