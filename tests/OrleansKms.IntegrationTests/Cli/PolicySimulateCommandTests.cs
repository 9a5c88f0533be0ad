using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Cli.Policy;
using OrleansKms.Policy;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>
/// <c>kms policy simulate --policy FILE</c>, offline: the decision, the statements that made it, AWS's message, the exit
/// code, and the command line and policy files it refuses.
/// </summary>
public sealed class PolicySimulateCommandTests : IDisposable
{
    private const string Account = "111122223333";
    private const string Alice = $"arn:aws:iam::{Account}:user/alice";
    private const string Bob = $"arn:aws:iam::{Account}:user/bob";

    private const string KeyPolicy = $$"""
        { "Version": "2012-10-17", "Statement": [
          { "Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::{{Account}}:root" },
            "Action": "kms:*", "Resource": "*" },
          { "Sid": "AliceUsesTheKey", "Effect": "Allow", "Principal": { "AWS": "{{Alice}}" },
            "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*" },
          { "Sid": "AppRoleEncrypts", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::{{Account}}:role/app" },
            "Action": "kms:Encrypt", "Resource": "*" },
          { "Sid": "DenyDecryptOutsideTenant", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
            "Condition": { "StringNotEquals": { "kms:EncryptionContext:tenant": "acme" } } } ] }
        """;

    private const string DecryptPolicy = """
        { "Version": "2012-10-17", "Statement": [ { "Sid": "BobDecrypts", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*" } ] }
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("kms-simulate-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2029, 6, 1, 0, 0, 0, TimeSpan.Zero));

    private string File(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private async Task<(int Code, string[] Lines, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PolicyCommand.RunAsync(["simulate", .. args], output, error, _time, TestContext.Current.CancellationToken);
        return (code, output.ToString().Split(Environment.NewLine), error.ToString());
    }

    private Task<(int Code, string[] Lines, string Error)> SimulateAsync(string principal, string action, params string[] more) =>
        RunAsync(["--principal", principal, "--action", action, "--policy", File("key.json", KeyPolicy), .. more]);

    [Fact]
    public async Task A_statement_naming_the_principal_allows_on_its_own()
    {
        var (code, lines, _) = await SimulateAsync(Alice, "kms:Decrypt", "--context", "tenant=acme");

        Assert.Equal(PolicyCommand.Allowed, code);
        Assert.Equal("ALLOW", lines[0]);
        Assert.Equal("  key policy, statement 1 \"AliceUsesTheKey\": Allow", lines[1]);
        Assert.StartsWith("Request: kms:Decrypt on arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000 by " + Alice, lines[2]);
        Assert.Contains("  kms:EncryptionContext:tenant = acme", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("AWS's message", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_explicit_deny_on_the_encryption_context_denies_and_names_its_statement()
    {
        var (code, lines, _) = await SimulateAsync(Alice, "kms:Decrypt", "--context", "tenant=globex", "--context", "purpose=test");

        Assert.Equal(PolicyCommand.Denied, code);
        Assert.Equal("DENY (explicit deny in the key policy)", lines[0]);
        Assert.Equal("  key policy, statement 3 \"DenyDecryptOutsideTenant\": Deny", lines[1]);
        Assert.Equal(
            $"AWS's message: User: {Alice} is not authorized to perform: kms:Decrypt on resource: " +
            "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000 with an explicit deny in a resource-based policy",
            lines[2]);
        Assert.Contains("  kms:EncryptionContextKeys = [tenant, purpose]", lines);
    }

    [Fact]
    public async Task The_account_statement_allows_with_an_identity_policy_and_denies_without_one()
    {
        var identity = File("bob.json", DecryptPolicy);

        var (allowed, allowLines, _) = await SimulateAsync(Bob, "kms:Decrypt", "--context", "tenant=acme", "--identity-policy", identity);
        var (denied, denyLines, _) = await SimulateAsync(Bob, "kms:Decrypt", "--context", "tenant=acme");

        Assert.Equal(PolicyCommand.Allowed, allowed);
        Assert.Equal(
            [
                "ALLOW",
                "  key policy, statement 0 \"Enable IAM User Permissions\": Allow, naming the account: an identity policy must allow too",
                $"  identity policy 0 ({identity}), statement 0 \"BobDecrypts\": Allow",
            ],
            allowLines[..3]);
        Assert.Equal(PolicyCommand.Denied, denied);
        Assert.Equal("DENY (the key policy leaves the action to IAM, and no identity policy allows)", denyLines[0]);
        Assert.Equal("  key policy, statement 0 \"Enable IAM User Permissions\": Allow, naming the account: an identity policy must allow too", denyLines[1]);
        Assert.EndsWith("because no identity-based policy allows the kms:Decrypt action", denyLines[2]);
    }

    [Fact]
    public async Task Json_output_carries_the_decision_its_statements_the_message_and_the_condition_keys()
    {
        var (code, lines, _) = await SimulateAsync(Bob, "kms:Decrypt", "--output", "json", "--principal-tag", "team=red",
            "--condition", "kms:EncryptionAlgorithm=SYMMETRIC_DEFAULT", "--key-arn", "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");

        Assert.Equal(PolicyCommand.Denied, code);
        using var json = JsonDocument.Parse(string.Join('\n', lines));
        var root = json.RootElement;
        Assert.Equal("DENY", root.GetProperty("decision").GetString());
        Assert.Equal(nameof(KmsDecisionKind.ExplicitDenyInResourcePolicy), root.GetProperty("kind").GetString());
        var statement = Assert.Single(root.GetProperty("statements").EnumerateArray());
        Assert.Equal(("key policy", 3, "DenyDecryptOutsideTenant", "Deny"),
            (statement.GetProperty("source").GetString(), statement.GetProperty("index").GetInt32(), statement.GetProperty("sid").GetString(), statement.GetProperty("effect").GetString()));
        Assert.Equal("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", root.GetProperty("resource").GetString());
        Assert.EndsWith("with an explicit deny in a resource-based policy", root.GetProperty("message").GetString());
        var context = root.GetProperty("context");
        Assert.Equal("eu-west-1", context.GetProperty("aws:RequestedRegion")[0].GetString());
        Assert.Equal("SYMMETRIC_DEFAULT", context.GetProperty("kms:EncryptionAlgorithm")[0].GetString());
        Assert.Equal(Account, context.GetProperty("kms:CallerAccount")[0].GetString());
    }

    [Fact]
    public async Task A_role_arn_is_simulated_as_a_session_that_key_policies_naming_the_role_match()
    {
        var (code, lines, _) = await SimulateAsync($"arn:aws:iam::{Account}:role/app", "kms:Encrypt");

        Assert.Equal(PolicyCommand.Allowed, code);
        Assert.Equal("  key policy, statement 2 \"AppRoleEncrypts\": Allow", lines[1]);
        Assert.EndsWith($"by arn:aws:sts::{Account}:assumed-role/app/{SimulatedPrincipal.SessionName}", lines[2]);
    }

    [Fact]
    public async Task Another_account_is_never_allowed_key_management_and_its_root_needs_no_identity_policy_for_encrypt()
    {
        var policy = File("cross.json", """
            { "Version": "2012-10-17", "Statement": [ { "Sid": "Partner", "Effect": "Allow",
              "Principal": { "AWS": "arn:aws:iam::444455556666:root" }, "Action": "kms:*", "Resource": "*" } ] }
            """);
        string[] onKey = ["--policy", policy, "--key-arn", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"];

        var (put, putLines, _) = await RunAsync(["--principal", "arn:aws:iam::444455556666:root", "--action", "kms:PutKeyPolicy", .. onKey]);
        var (encrypt, encryptLines, _) = await RunAsync(["--principal", "arn:aws:iam::444455556666:root", "--action", "kms:Encrypt", .. onKey]);

        Assert.Equal((PolicyCommand.Denied, "DENY (AWS KMS never allows kms:PutKeyPolicy on a key of another account)"), (put, putLines[0]));
        Assert.Equal((PolicyCommand.Allowed, "ALLOW", "  key policy, statement 0 \"Partner\": Allow"), (encrypt, encryptLines[0], encryptLines[1]));
    }

    [Fact]
    public async Task Time_conditions_read_the_clock()
    {
        var policy = File("until.json", $$"""
            { "Version": "2012-10-17", "Statement": [ { "Sid": "Until2030", "Effect": "Allow", "Principal": { "AWS": "{{Alice}}" },
              "Action": "kms:Encrypt", "Resource": "*", "Condition": { "DateLessThan": { "aws:CurrentTime": "2030-01-01T00:00:00Z" } } } ] }
            """);

        var (before, _, _) = await RunAsync("--principal", Alice, "--action", "kms:Encrypt", "--policy", policy);
        _time.Advance(TimeSpan.FromDays(365));
        var (after, afterLines, _) = await RunAsync("--principal", Alice, "--action", "kms:Encrypt", "--policy", policy);

        Assert.Equal(PolicyCommand.Allowed, before);
        Assert.Equal((PolicyCommand.Denied, "DENY (no key policy statement allows the principal or its account)"), (after, afterLines[0]));
    }

    [Fact]
    public async Task A_malformed_policy_file_prints_the_parser_message_and_exits_with_2()
    {
        const string noPrincipal = """{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "kms:*", "Resource": "*" } ] }""";
        var file = File("bad.json", noPrincipal);
        var expected = Assert.Throws<PolicyFormatException>(() => PolicyDocument.Parse(noPrincipal, PolicyKind.KeyPolicy)).Message;

        var (code, lines, error) = await RunAsync("--principal", Alice, "--action", "kms:Encrypt", "--policy", file);

        Assert.Equal(PolicyCommand.BadUsage, code);
        Assert.Equal("", string.Concat(lines));
        Assert.StartsWith($"kms policy simulate: key policy {file}: {expected}", error);
    }

    [Theory]
    [InlineData("--action", "kms:Decrypt")]
    [InlineData("--principal", Alice, "--action", "kms:Decrpyt")]
    [InlineData("--principal", "alice", "--action", "kms:Decrypt")]
    [InlineData("--principal", Alice, "--action", "kms:Decrypt")]
    [InlineData("--principal", Alice, "--action", "kms:Decrypt", "--key", "k", "--policy", "p.json")]
    [InlineData("--principal", Alice, "--action", "kms:Decrypt", "--policy", "/nonexistent/policy.json")]
    [InlineData("--principal", Alice, "--action", "kms:Decrypt", "--context", "no-equals")]
    [InlineData("--principal", Alice, "--action", "kms:Decrypt", "--output", "yaml")]
    [InlineData("--principal", Alice, "--action", "kms:Decrypt", "--nonsense", "1")]
    public async Task A_bad_command_line_exits_with_2_and_says_why(params string[] args)
    {
        var (code, _, error) = await RunAsync(args);

        Assert.Equal(PolicyCommand.BadUsage, code);
        Assert.StartsWith("kms policy simulate: ", error);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
