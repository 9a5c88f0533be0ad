using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.Cli.Policy;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>
/// A server whose identities are the development root, alice (no identity policy) and bob and carol, whose one
/// identity policy (<see cref="TeamPolicy"/>) allows Encrypt on keys tagged with their own team.
/// </summary>
public sealed class PolicySimulateServerFixture : KmsServerFixture
{
    public const string AccountId = "000000000000";
    public const string Alice = $"arn:aws:iam::{AccountId}:user/alice";
    public const string Bob = $"arn:aws:iam::{AccountId}:user/bob";
    public const string Carol = $"arn:aws:iam::{AccountId}:user/carol";

    public const string TeamPolicy = """
        { "Version": "2012-10-17", "Statement": [ { "Sid": "OwnTeamKeys", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:DescribeKey"],
          "Resource": "*", "Condition": { "StringEquals": { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } } } ] }
        """;

    protected override void Configure(KmsServerOptions options)
    {
        var identities = Path.Combine(Path.GetTempPath(), $"kms-identities-{Guid.NewGuid():N}.json");
        File.WriteAllText(identities, $$"""
            { "identities": [
              { "accessKeyId": "test", "secretAccessKey": "test", "accountId": "{{AccountId}}" },
              { "accessKeyId": "AKIAALICE", "secretAccessKey": "alice", "accountId": "{{AccountId}}", "principalArn": "{{Alice}}" },
              { "accessKeyId": "AKIABOB", "secretAccessKey": "bob", "accountId": "{{AccountId}}", "principalArn": "{{Bob}}",
                "tags": { "team": "red" }, "policies": [ {{TeamPolicy}} ] },
              { "accessKeyId": "AKIACAROL", "secretAccessKey": "carol", "accountId": "{{AccountId}}", "principalArn": "{{Carol}}",
                "tags": { "team": "blue" }, "policies": [ {{TeamPolicy}} ] } ] }
            """);
        options.IdentitiesFile = identities;
    }
}

/// <summary>
/// <c>kms policy simulate --key KEY</c> against a live server: the key's policy, tags and facts are read from it, and the
/// simulated decision (and AWS's message) is the one the service itself makes for that caller.
/// </summary>
public sealed class PolicySimulateServiceTests(PolicySimulateServerFixture fixture) : IClassFixture<PolicySimulateServerFixture>, IDisposable
{
    private readonly AmazonKeyManagementServiceClient _root = fixture.Client();
    private readonly string _teamPolicy = Path.Combine(Path.GetTempPath(), $"kms-team-policy-{Guid.NewGuid():N}.json");

    private async Task<(int Code, string Output, string Error)> SimulateAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] connection = ["--endpoint", fixture.Server.Endpoint.ToString(), "--region", fixture.Region, "--access-key", "test", "--secret-key", "test"];
        var code = await PolicyCommand.RunAsync(["simulate", .. args, .. connection], output, error, TimeProvider.System, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    private static string FirstLine(string text) => text[..text.IndexOf(Environment.NewLine, StringComparison.Ordinal)];

    private static string Message(string text) =>
        text.Split(Environment.NewLine).Single(l => l.StartsWith("AWS's message: ", StringComparison.Ordinal))["AWS's message: ".Length..];

    [Fact]
    public async Task Under_the_default_key_policy_the_root_is_allowed_and_a_user_without_identity_policy_is_denied_as_the_service_denies_it()
    {
        var key = (await _root.CreateKeyAsync(new CreateKeyRequest(), TestContext.Current.CancellationToken)).KeyMetadata;

        var (rootCode, rootOutput, _) = await SimulateAsync("--principal", $"arn:aws:iam::{PolicySimulateServerFixture.AccountId}:root", "--action", "kms:Decrypt", "--key", key.KeyId);
        var (aliceCode, aliceOutput, _) = await SimulateAsync("--principal", PolicySimulateServerFixture.Alice, "--action", "kms:Encrypt", "--key", key.KeyId);

        Assert.Equal((PolicyCommand.Allowed, "ALLOW"), (rootCode, FirstLine(rootOutput)));
        Assert.Contains("  key policy, statement 0 \"Enable IAM User Permissions\": Allow" + Environment.NewLine, rootOutput);
        Assert.Contains($"Request: kms:Decrypt on {key.Arn} by", rootOutput);
        Assert.Equal((PolicyCommand.Denied, "DENY (the key policy leaves the action to IAM, and no identity policy allows)"), (aliceCode, FirstLine(aliceOutput)));
        using var alice = SdkClients.Create(fixture.Server.Endpoint, fixture.Region, "AKIAALICE", "alice");
        var denied = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => alice.EncryptAsync(
            new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1, 2, 3]) }, TestContext.Current.CancellationToken));
        Assert.Equal(("AccessDeniedException", denied.Message), (denied.ErrorCode, Message(aliceOutput)));
    }

    [Fact]
    public async Task A_key_named_by_alias_brings_its_tags_and_facts_and_the_decision_matches_the_service_for_each_team()
    {
        var cancel = TestContext.Current.CancellationToken;
        var key = (await _root.CreateKeyAsync(new CreateKeyRequest { Tags = [new Tag { TagKey = "team", TagValue = "red" }] }, cancel)).KeyMetadata;
        var alias = $"alias/simulate-{Guid.NewGuid():N}";
        await _root.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId }, cancel);
        await File.WriteAllTextAsync(_teamPolicy, PolicySimulateServerFixture.TeamPolicy, cancel);
        string[] common = ["--action", "kms:Encrypt", "--key", alias, "--identity-policy", _teamPolicy, "--output", "json"];

        var (bobCode, bobOutput, _) = await SimulateAsync(["--principal", PolicySimulateServerFixture.Bob, "--principal-tag", "team=red", .. common]);
        var (carolCode, carolOutput, _) = await SimulateAsync(["--principal", PolicySimulateServerFixture.Carol, "--principal-tag", "team=blue", .. common]);

        using var bobJson = JsonDocument.Parse(bobOutput);
        var bob = bobJson.RootElement;
        Assert.Equal((PolicyCommand.Allowed, "ALLOW"), (bobCode, bob.GetProperty("decision").GetString()));
        Assert.Equal(key.Arn, bob.GetProperty("resource").GetString());
        Assert.Equal(["key policy", "identity policy 0"], bob.GetProperty("statements").EnumerateArray().Select(s => s.GetProperty("source").GetString()));
        var context = bob.GetProperty("context");
        Assert.Equal("red", context.GetProperty("aws:ResourceTag/team")[0].GetString());
        Assert.Equal(alias, context.GetProperty("kms:RequestAlias")[0].GetString());
        Assert.Equal("SYMMETRIC_DEFAULT", context.GetProperty("kms:KeySpec")[0].GetString());
        Assert.Equal("false", context.GetProperty("aws:SecureTransport")[0].GetString());

        using var carolJson = JsonDocument.Parse(carolOutput);
        Assert.Equal(PolicyCommand.Denied, carolCode);
        Assert.Equal("NoIdentityPolicyAllows", carolJson.RootElement.GetProperty("kind").GetString());
        using var bobClient = SdkClients.Create(fixture.Server.Endpoint, fixture.Region, "AKIABOB", "bob");
        using var carolClient = SdkClients.Create(fixture.Server.Endpoint, fixture.Region, "AKIACAROL", "carol");
        await bobClient.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = new MemoryStream([1]) }, cancel);
        var denied = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            carolClient.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = new MemoryStream([1]) }, cancel));
        Assert.Equal(("AccessDeniedException", denied.Message), (denied.ErrorCode, carolJson.RootElement.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task A_key_that_cannot_be_read_exits_with_3_and_says_why()
    {
        var (code, output, error) = await SimulateAsync("--principal", PolicySimulateServerFixture.Alice, "--action", "kms:Encrypt",
            "--key", "1234abcd-12ab-34cd-56ef-1234567890ab");

        Assert.Equal((PolicyCommand.ReadFailed, ""), (code, output));
        Assert.Contains("NotFoundException", error);
    }

    public void Dispose()
    {
        _root.Dispose();
        File.Delete(_teamPolicy);
    }
}
