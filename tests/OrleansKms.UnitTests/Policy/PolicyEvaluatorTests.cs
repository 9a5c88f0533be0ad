using OrleansKms.Policy;
using static OrleansKms.UnitTests.Policy.Fx;
using RequestContext = OrleansKms.Policy.RequestContext;

namespace OrleansKms.UnitTests.Policy;

public sealed class PolicyEvaluatorTests
{
    private static RequestContext Request(CallerPrincipal who, string action = "kms:Encrypt", string resource = Key1Arn) =>
        new() { Principal = who, Action = action, Resource = resource, Now = Now };

    private static PolicyDocument Key(params string[] statements) => PolicyDocument.Parse(Doc(statements), PolicyKind.KeyPolicy);

    /// <summary>Ten statements, none of which applies to Bob's Encrypt until the last.</summary>
    private static readonly PolicyDocument TenStatements = Key(
        Stmt("Allow", Aws(RootA), "'kms:Create*'"),
        Stmt("Allow", Aws("arn:aws:iam::111122223333:user/alice"), "['kms:Encrypt','kms:Decrypt']"),
        Stmt("Allow", Aws(RoleArn), "'kms:*'", "{'StringEquals':{'kms:CallerAccount':'111122223333'}}"),
        Stmt("Allow", Service("s3.amazonaws.com"), "'kms:GenerateDataKey*'"),
        Stmt("Deny", "'*'", "'kms:ScheduleKeyDeletion'"),
        Stmt("Allow", "'*'", "'kms:Decrypt'", "{'StringEquals':{'kms:ViaService':'ec2.us-east-1.amazonaws.com'}}"),
        Stmt("Allow", Aws(BobBArn), "'kms:Re*'"),
        Stmt("Allow", "'*'", "'kms:Sign'", "{'IpAddress':{'aws:SourceIp':'10.0.0.0/8'}}"),
        Stmt("Deny", "'*'", "'kms:Encrypt'", "{'Bool':{'aws:SecureTransport':'false'}}"),
        Stmt("Allow", Aws(BobArn), "'kms:Encrypt'", "{'StringLike':{'kms:EncryptionContext:app':'web-*'}}"));

    [Fact]
    public void An_applying_deny_is_reported_with_its_statements()
    {
        var evaluation = PolicyEvaluator.Evaluate(TenStatements, Request(Bob, "kms:ScheduleKeyDeletion"));
        Assert.Equal(PolicyResult.ExplicitDeny, evaluation.Result);
        var statement = Assert.Single(evaluation.Statements);
        Assert.Equal((4, "Deny"), (statement.Index, statement.Effect));
    }

    [Fact]
    public void Allows_say_whether_they_name_the_caller_or_its_account()
    {
        var doc = Key(Stmt("Allow", Aws(RootA)), "{'Sid':'Bob','Effect':'Allow','Principal':{'AWS':'arn:aws:iam::111122223333:user/bob'},'Action':'kms:Decrypt','Resource':'*'}");
        var encrypt = PolicyEvaluator.Evaluate(doc, Request(Bob));
        Assert.Equal(PolicyResult.Allow, encrypt.Result);
        Assert.Equal(PrincipalMatch.Account, Assert.Single(encrypt.Statements).Principal);
        Assert.False(encrypt.AllowsCallerDirectly);
        var decrypt = PolicyEvaluator.Evaluate(doc, Request(Bob, "kms:Decrypt"));
        Assert.Equal(2, decrypt.Statements.Count);
        Assert.Equal(("Bob", PrincipalMatch.Caller), (decrypt.Statements[1].Sid, decrypt.Statements[1].Principal));
        Assert.True(decrypt.AllowsCallerDirectly);
    }

    [Fact]
    public void A_wildcard_resource_answers_each_key_for_itself_when_keys_alternate()
    {
        // The pattern remembers its last answer; alternating keys must never get each other's.
        var doc = PolicyDocument.Parse(Doc(
            "{'Effect':'Allow','Action':'kms:Encrypt','Resource':'arn:aws:kms:*:111122223333:key/1*'}"), PolicyKind.IdentityPolicy);
        var inside = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        var outside = "arn:aws:kms:us-east-1:111122223333:key/2234abcd-12ab-34cd-56ef-1234567890ab";
        var otherAccount = "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(PolicyResult.Allow, PolicyEvaluator.Evaluate(doc, Request(Bob, resource: inside)).Result);
            Assert.Equal(PolicyResult.NotApplicable, PolicyEvaluator.Evaluate(doc, Request(Bob, resource: outside)).Result);
            Assert.Equal(PolicyResult.Allow, PolicyEvaluator.Evaluate(doc, Request(Bob, resource: inside)).Result);
            Assert.Equal(PolicyResult.NotApplicable, PolicyEvaluator.Evaluate(doc, Request(Bob, resource: otherAccount)).Result);
        }
    }

    [Fact]
    public void Nothing_applying_returns_the_shared_result_and_allocates_nothing()
    {
        var request = Request(Alice, "kms:Verify");
        Assert.Same(PolicyEvaluation.NotApplicable, PolicyEvaluator.Evaluate(TenStatements, request));
        for (var i = 0; i < 100; i++) PolicyEvaluator.Evaluate(TenStatements, request);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) PolicyEvaluator.Evaluate(TenStatements, request);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1000, $"1000 evaluations that match nothing allocated {allocated} bytes.");
    }

    [Fact]
    public void A_ten_statement_policy_evaluates_100000_times()
    {
        var request = new RequestContext
        {
            Principal = Bob,
            Action = "kms:Encrypt",
            Resource = Key1Arn,
            Now = Now,
            ConditionKeys = Keys(("kms:EncryptionContext:app", "web-1"), ("aws:SecureTransport", "true"), ("kms:CallerAccount", A)),
        };
        var allowed = 0;
        for (var i = 0; i < 100_000; i++)
        {
            if (PolicyEvaluator.Evaluate(TenStatements, request).Result == PolicyResult.Allow) allowed++;
        }

        Assert.Equal(100_000, allowed);
    }

    [Fact]
    public void One_compiled_document_serves_many_threads()
    {
        var callers = new[] { (Bob, PolicyResult.Allow), (Alice, PolicyResult.Allow), (BobB, PolicyResult.NotApplicable), (Logs, PolicyResult.NotApplicable), (Session, PolicyResult.Allow) };
        var keys = Keys(("kms:EncryptionContext:app", "web-2"), ("kms:CallerAccount", A));
        var wrong = 0;
        foreach (var (who, expected) in callers)
            Assert.Equal((who.Arn, expected), (who.Arn, PolicyEvaluator.Evaluate(TenStatements, new RequestContext { Principal = who, Action = "kms:Encrypt", Resource = Key1Arn, Now = Now, ConditionKeys = keys }).Result));
        Parallel.For(0, 20_000, i =>
        {
            var (who, expected) = callers[i % callers.Length];
            var request = new RequestContext { Principal = who, Action = "kms:Encrypt", Resource = Key1Arn, Now = Now, ConditionKeys = keys };
            if (PolicyEvaluator.Evaluate(TenStatements, request).Result != expected) Interlocked.Increment(ref wrong);
        });
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void A_trust_policy_decides_who_may_assume_the_role()
    {
        var trust = PolicyDocument.Parse(Doc(
            "{'Effect':'Allow','Principal':{'Service':'ec2.amazonaws.com'},'Action':'sts:AssumeRole'}",
            "{'Effect':'Allow','Principal':{'AWS':'444455556666'},'Action':'sts:AssumeRole','Condition':{'StringEquals':{'sts:ExternalId':'x-1'}}}"),
            PolicyKind.TrustPolicy);
        var role = "arn:aws:iam::111122223333:role/app";
        Assert.Equal(PolicyResult.Allow, PolicyEvaluator.Evaluate(trust, Request(CallerPrincipal.Service("ec2.amazonaws.com"), "sts:AssumeRole", role)).Result);
        Assert.Equal(PolicyResult.NotApplicable, PolicyEvaluator.Evaluate(trust, Request(BobB, "sts:AssumeRole", role)).Result);
        var withExternalId = new RequestContext
        {
            Principal = BobB,
            Action = "sts:AssumeRole",
            Resource = role,
            Now = Now,
            ConditionKeys = Keys(("sts:ExternalId", "x-1")),
        };
        var evaluation = PolicyEvaluator.Evaluate(trust, withExternalId);
        Assert.Equal(PrincipalMatch.Account, Assert.Single(evaluation.Statements).Principal);
    }

    [Fact]
    public void A_pathological_wildcard_cannot_make_matching_slow()
    {
        // With backtracking this pattern is exponential in the number of stars; the automaton is linear in each.
        var pattern = "kms:" + string.Concat(Enumerable.Repeat("*a", 30)) + "*b";
        var doc = PolicyDocument.Parse(Doc(IdStmt("Allow", $"'{pattern}'", condition: $"{{'StringLike':{{'kms:EncryptionContext:app':'{pattern}'}}}}")), PolicyKind.IdentityPolicy);
        var value = "kms:" + new string('a', 5000);
        var request = new RequestContext
        {
            Principal = Bob,
            Action = value,
            Resource = Key1Arn,
            Now = Now,
            ConditionKeys = Keys(("kms:EncryptionContext:app", value)),
        };
        Assert.Equal(PolicyResult.NotApplicable, PolicyEvaluator.Evaluate(doc, request).Result);
        Assert.Equal(PolicyResult.Allow, PolicyEvaluator.Evaluate(doc, new RequestContext
        {
            Principal = Bob,
            Action = value + "b",
            Resource = Key1Arn,
            Now = Now,
            ConditionKeys = Keys(("kms:EncryptionContext:app", value + "b")),
        }).Result);
    }

    [Fact]
    public void Condition_values_of_the_request_are_read_ignoring_key_case_whatever_dictionary_is_given()
    {
        var doc = Key(Stmt("Allow", "'*'", "'kms:Encrypt'", "{'StringEquals':{'kms:encryptioncontext:APP':'web'}}"));
        var request = new RequestContext
        {
            Principal = Bob,
            Action = "kms:Encrypt",
            Resource = Key1Arn,
            ConditionKeys = new Dictionary<string, ConditionValue> { ["KMS:EncryptionContext:app"] = "web" },
        };
        Assert.Equal(PolicyResult.Allow, PolicyEvaluator.Evaluate(doc, request).Result);
    }
}
