using OrleansKms.Policy;
using static OrleansKms.UnitTests.Policy.Fx;

namespace OrleansKms.UnitTests.Policy;

public sealed class PolicyParseTests
{
    private const string Syntax = "Syntax errors in policy.";
    private const string KmsPrincipals = "Policy contains a statement with one or more invalid principals.";

    [Fact]
    public void A_default_key_policy_parses_with_its_statements()
    {
        var doc = PolicyDocument.Parse(J("{'Version':'2012-10-17','Id':'key-default-1','Statement':[{'Sid':'Enable IAM User Permissions','Effect':'Allow','Principal':{'AWS':'arn:aws:iam::111122223333:root'},'Action':'kms:*','Resource':'*'},{'Sid':'Deny','Effect':'Deny','Principal':'*','Action':['kms:ScheduleKeyDeletion'],'Resource':'*'}]}"), PolicyKind.KeyPolicy);
        Assert.Equal(PolicyKind.KeyPolicy, doc.Kind);
        Assert.Equal("2012-10-17", doc.Version);
        Assert.Equal("key-default-1", doc.Id);
        Assert.Equal(2, doc.Statements.Count);
        Assert.Equal((0, "Enable IAM User Permissions", "Allow"), (doc.Statements[0].Index, doc.Statements[0].Sid, doc.Statements[0].Effect));
        Assert.Equal((1, "Deny", "Deny"), (doc.Statements[1].Index, doc.Statements[1].Sid, doc.Statements[1].Effect));
        Assert.Contains("key-default-1", doc.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_statement_object_and_no_version_parse()
    {
        var doc = PolicyDocument.Parse(J("{'Statement':{'Effect':'Allow','Action':'kms:Encrypt','Resource':'*'}}"), PolicyKind.IdentityPolicy);
        Assert.Null(doc.Version);
        Assert.Single(doc.Statements);
        Assert.Null(doc.Statements[0].Sid);
    }

    [Fact]
    public void An_identity_policy_with_every_element_parses()
    {
        var doc = PolicyDocument.Parse(Doc(
            "{'Sid':'A','Effect':'Allow','NotAction':['kms:ScheduleKeyDeletion','kms:Put*'],'NotResource':'arn:aws:kms:*:111122223333:key/secret-*'," +
            "'Condition':{'ForAllValues:StringEquals':{'kms:EncryptionContextKeys':['app']},'NumericLessThan':{'aws:MultiFactorAuthAge':3600},'Bool':{'aws:SecureTransport':true},'IpAddress':{'aws:SourceIp':['10.0.0.0/8','2001:db8::/32']}}}",
            "{'Sid':'B','Effect':'Deny','Action':'*','Resource':['*'],'Condition':{'DateGreaterThan':{'aws:CurrentTime':'2030-01-01T00:00:00Z'},'Null':{'aws:TokenIssueTime':'true'}}}"), PolicyKind.IdentityPolicy);
        Assert.Equal(2, doc.Statements.Count);
        Assert.True(doc.Statements[0].HasConditions);
    }

    [Fact]
    public void A_trust_policy_with_service_federated_and_account_principals_parses()
    {
        var doc = PolicyDocument.Parse(Doc(
            "{'Effect':'Allow','Principal':{'Service':['ec2.amazonaws.com','logs.us-east-1.amazonaws.com']},'Action':'sts:AssumeRole'}",
            "{'Effect':'Allow','Principal':{'Federated':'arn:aws:iam::111122223333:saml-provider/corp'},'Action':'sts:AssumeRoleWithSAML'}",
            "{'Effect':'Allow','Principal':{'AWS':['444455556666','arn:aws:iam::444455556666:role/deploy']},'Action':['sts:AssumeRole','sts:TagSession'],'Condition':{'StringEquals':{'sts:ExternalId':'x'}}}"),
            PolicyKind.TrustPolicy);
        Assert.Equal(3, doc.Statements.Count);
    }

    [Fact]
    public void Key_policies_may_repeat_a_sid_but_iam_policies_may_not()
    {
        var statement = "{'Sid':'S','Effect':'Allow','Principal':'*','Action':'kms:Encrypt','Resource':'*'}";
        Assert.Equal(2, PolicyDocument.Parse(Doc(statement, statement), PolicyKind.KeyPolicy).Statements.Count);
        var identity = "{'Sid':'S','Effect':'Allow','Action':'kms:Encrypt','Resource':'*'}";
        AssertRefused(Doc(identity, identity), PolicyKind.IdentityPolicy, "Statement IDs (SID) in a single policy must be unique.");
    }

    public static TheoryData<string, string, string> Malformed() => new()
    {
        { "not JSON", "not json", Syntax },
        { "not an object", "[]", Syntax },
        { "unknown top-level element", "{'Version':'2012-10-17','Foo':1,'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*'}}", Syntax },
        { "unknown version", "{'Version':'2020-01-01','Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*'}}", Syntax },
        { "numeric version", "{'Version':1,'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*'}}", Syntax },
        { "numeric Id", "{'Id':1,'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*'}}", Syntax },
        { "no Statement", "{'Version':'2012-10-17'}", Syntax },
        { "Statement a string", "{'Statement':'Allow'}", Syntax },
        { "Statement empty", "{'Statement':[]}", Syntax },
        { "Statement not objects", "{'Statement':[1]}", Syntax },
        { "unknown statement element", "{'Statement':{'Effect':'Allow','Actions':'kms:*','Resource':'*'}}", Syntax },
        { "no Effect", "{'Statement':{'Action':'kms:*','Resource':'*'}}", Syntax },
        { "unknown Effect", "{'Statement':{'Effect':'Permit','Action':'kms:*','Resource':'*'}}", Syntax },
        { "Effect in lower case", "{'Statement':{'Effect':'allow','Action':'kms:*','Resource':'*'}}", "The policy failed legacy parsing" },
        { "Action and NotAction", "{'Statement':{'Effect':'Allow','Action':'kms:*','NotAction':'kms:Sign','Resource':'*'}}", Syntax },
        { "Resource and NotResource", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*','NotResource':'*'}}", Syntax },
        { "Action a number", "{'Statement':{'Effect':'Allow','Action':5,'Resource':'*'}}", Syntax },
        { "Action a list of numbers", "{'Statement':{'Effect':'Allow','Action':[1],'Resource':'*'}}", Syntax },
        { "Resource an object", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':{}}}", Syntax },
        { "Sid a number", "{'Statement':{'Sid':1,'Effect':'Allow','Action':'kms:*','Resource':'*'}}", Syntax },
        { "no Action", "{'Statement':{'Effect':'Allow','Resource':'*'}}", "Policy statement must contain actions." },
        { "empty Action", "{'Statement':{'Effect':'Allow','Action':[],'Resource':'*'}}", "Policy statement must contain actions." },
        { "action without service", "{'Statement':{'Effect':'Allow','Action':'Encrypt','Resource':'*'}}", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc." },
        { "action with two colons", "{'Statement':{'Effect':'Allow','Action':'kms:a:b','Resource':'*'}}", "Actions/Condition can contain only one colon." },
        { "wildcard service", "{'Statement':{'Effect':'Allow','Action':'km*:Encrypt','Resource':'*'}}", "Vendor km* is not valid" },
        { "no Resource", "{'Statement':{'Effect':'Allow','Action':'kms:*'}}", "Policy statement must contain resources." },
        { "empty Resource", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':[]}}", "Policy statement must contain resources." },
        { "resource not an ARN", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'key/abc'}}", "Resource key/abc must be in ARN format or \"*\"." },
        { "resource of an unknown partition", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'arn:foo:kms:us-east-1:111122223333:key/a'}}", "Partition \"foo\" is not valid for resource \"arn:foo:kms:us-east-1:111122223333:key/a\"." },
        { "resource with a wildcard service", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'arn:aws:*:us-east-1:111122223333:key/a'}}", "Resource vendor must be fully qualified and cannot contain regexes." },
        { "a principal", "{'Statement':{'Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*'}}", "Policy document should not specify a principal." },
        { "Condition a string", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*','Condition':'x'}}", Syntax },
        { "operator block a list", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*','Condition':{'StringEquals':['x']}}}", Syntax },
        { "condition value null", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*','Condition':{'StringEquals':{'kms:CallerAccount':null}}}}", Syntax },
        { "condition value empty", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*','Condition':{'StringEquals':{'kms:CallerAccount':[]}}}}", Syntax },
        { "condition value an object", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*','Condition':{'StringEquals':{'kms:CallerAccount':{}}}}}", Syntax },
        { "unknown operator", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*','Condition':{'StringEqualz':{'kms:CallerAccount':'1'}}}}", "Invalid Condition type : StringEqualz" },
        { "Null takes no IfExists", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*','Condition':{'NullIfExists':{'kms:CallerAccount':'true'}}}}", "Invalid Condition type : NullIfExists" },
        { "unknown set qualifier", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*','Condition':{'ForSomeValues:StringEquals':{'aws:TagKeys':'a'}}}}", "Invalid Condition type : ForSomeValues:StringEquals" },
        { "condition key without service", "{'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*','Condition':{'StringEquals':{'CallerAccount':'1'}}}}", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc." },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void An_identity_policy_AWS_would_refuse_is_refused_with_its_message(string name, string json, string message)
    {
        Assert.False(string.IsNullOrEmpty(name));
        AssertRefused(J(json), PolicyKind.IdentityPolicy, message);
    }

    public static TheoryData<string> InvalidPrincipals() =>
    [
        "'bob'",
        "{}",
        "{'AWS':[]}",
        "{'AWS':5}",
        "{'AWS':''}",
        "{'AWS':'bob'}",
        "{'AWS':'11112222333'}",
        "{'AWS':'arn:aws:iam::111122223333:user/*'}",
        "{'AWS':'arn:aws:iam::*:root'}",
        "{'AWS':'arn:aws:iam::111122223333:group/admins'}",
        "{'AWS':'arn:aws:iam::111122223333:role/a?c'}",
        "{'AWS':'arn:aws:sts::111122223333:assumed-role/app'}",
        "{'Service':'s3'}",
        "{'Service':'*'}",
        "{'Federated':'*'}",
        "{'Foo':'x'}",
    ];

    [Theory]
    [MemberData(nameof(InvalidPrincipals))]
    public void A_key_policy_with_an_invalid_principal_gets_KMS_message(string principal)
    {
        AssertRefused(Doc(Stmt("Allow", principal)), PolicyKind.KeyPolicy, KmsPrincipals);
    }

    [Fact]
    public void Key_policy_principal_rules()
    {
        AssertRefused(Doc("{'Effect':'Allow','Action':'kms:*','Resource':'*'}"), PolicyKind.KeyPolicy, KmsPrincipals);
        AssertRefused(Doc(Stmt("Allow", Aws(BobArn), principalElement: "NotPrincipal")), PolicyKind.KeyPolicy, KmsPrincipals);
        AssertRefused(Doc("{'Effect':'Allow','Principal':'*','NotPrincipal':'*','Action':'kms:*','Resource':'*'}"), PolicyKind.KeyPolicy, Syntax);
        AssertRefused(Doc("{'Effect':'Allow','Principal':'*','Action':'kms:*'}"), PolicyKind.KeyPolicy, "Policy statement must contain resources.");
        Assert.Single(PolicyDocument.Parse(Doc(Stmt("Deny", Aws(BobArn, RootA), principalElement: "NotPrincipal")), PolicyKind.KeyPolicy).Statements);
        Assert.Single(PolicyDocument.Parse(Doc(Stmt("Allow", Aws(A, SessionArn, RoleArn, "arn:aws-cn:iam::111122223333:root", "arn:aws:sts::111122223333:federated-user/carol"))), PolicyKind.KeyPolicy).Statements);
    }

    [Fact]
    public void Trust_policy_rules_use_IAM_messages()
    {
        AssertRefused(Doc("{'Effect':'Allow','Action':'sts:AssumeRole'}"), PolicyKind.TrustPolicy, "Missing required field Principal");
        AssertRefused(Doc("{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::111122223333:user/*'},'Action':'sts:AssumeRole'}"), PolicyKind.TrustPolicy,
            "Invalid principal in policy: \"AWS\":\"arn:aws:iam::111122223333:user/*\"");
        AssertRefused(Doc("{'Effect':'Allow','Principal':{'Service':'ec2'},'Action':'sts:AssumeRole'}"), PolicyKind.TrustPolicy, "Invalid principal in policy: \"Service\":\"ec2\"");
        AssertRefused(Doc("{'Effect':'Allow','Principal':'*','Action':'sts:AssumeRole','Resource':'*'}"), PolicyKind.TrustPolicy, "Has prohibited field Resource");
        AssertRefused(Doc("{'Effect':'Deny','NotPrincipal':{'AWS':'111122223333'},'Action':'sts:AssumeRole'}"), PolicyKind.TrustPolicy, "Has prohibited field NotPrincipal");
    }

    private static void AssertRefused(string json, PolicyKind kind, string message)
    {
        var e = Assert.Throws<PolicyFormatException>(() => PolicyDocument.Parse(json, kind));
        Assert.Equal(message, e.Message);
    }
}
