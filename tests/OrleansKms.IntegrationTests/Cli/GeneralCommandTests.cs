using System.Text.Json;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>
/// A server with the development identity and three more: ENVKEY (root of 222222222222), PROFKEY (root of
/// 333333333333) and BOB (an IAM user of 000000000000 with no identity policy).
/// </summary>
public sealed class CliServerFixture : KmsServerFixture
{
    protected override void Configure(KmsServerOptions options)
    {
        var file = Path.Combine(Path.GetTempPath(), $"kms-cli-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """
            { "identities": [
                { "accessKeyId": "test", "secretAccessKey": "test", "accountId": "000000000000" },
                { "accessKeyId": "ENVKEY", "secretAccessKey": "env-secret", "accountId": "222222222222" },
                { "accessKeyId": "PROFKEY", "secretAccessKey": "prof-secret", "accountId": "333333333333" },
                { "accessKeyId": "BOB", "secretAccessKey": "bob-secret", "accountId": "000000000000", "principalArn": "arn:aws:iam::000000000000:user/bob" } ] }
            """);
        options.IdentitiesFile = file;
    }

    public string Endpoint => Server.Endpoint.ToString().TrimEnd('/');
}

/// <summary>
/// <c>kms keys</c> and <c>kms alias</c> run as processes against a live gateway: what they print, their exit codes, and
/// their one-line errors.
/// </summary>
public sealed class GeneralCommandTests(CliServerFixture fixture) : IClassFixture<CliServerFixture>
{
    private Dictionary<string, string> Env => new() { ["AWS_ENDPOINT_URL"] = fixture.Endpoint };

    [Fact]
    public async Task Keys_create_list_and_describe_a_key_with_an_alias_and_tags()
    {
        var alias = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var create = await KmsProcess.RunAsync(Env, "keys", "create", "--description", "made by the cli", "--alias", alias, "--tag", "team=red");
        var keyId = create.Output.Trim();

        var list = await KmsProcess.RunAsync(Env, "keys", "list");
        var text = await KmsProcess.RunAsync(Env, "keys", "describe", "alias/" + alias);
        var json = await KmsProcess.RunAsync(Env, "keys", "describe", keyId, "--output", "json");
        var listJson = await KmsProcess.RunAsync(Env, "keys", "list", "--output=json");

        Assert.True(create.Code == 0, create.Error);
        Assert.True(Guid.TryParse(keyId, out _), create.Output);
        Assert.Equal(0, list.Code);
        Assert.StartsWith("KEY ID                                ALIASES" + Environment.NewLine, list.Output);
        Assert.Contains($"{keyId}  alias/{alias}{Environment.NewLine}", list.Output);
        Assert.Equal(0, text.Code);
        Assert.Contains($"KeyId:                {keyId}{Environment.NewLine}", text.Output);
        Assert.Contains($"Description:          made by the cli{Environment.NewLine}", text.Output);
        Assert.Contains($"KeyState:             Enabled{Environment.NewLine}", text.Output);
        var metadata = JsonDocument.Parse(json.Output).RootElement.GetProperty("KeyMetadata");
        Assert.Equal($"arn:aws:kms:us-east-1:000000000000:key/{keyId}", metadata.GetProperty("Arn").GetString());
        Assert.Equal("SYMMETRIC_DEFAULT", metadata.GetProperty("KeySpec").GetString());
        var listed = JsonDocument.Parse(listJson.Output).RootElement.GetProperty("Keys").EnumerateArray().Single(k => k.GetProperty("KeyId").GetString() == keyId);
        Assert.Equal(["alias/" + alias], listed.GetProperty("Aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Empty(create.Error + list.Error + text.Error + json.Error);
    }

    [Fact]
    public async Task Keys_create_takes_spec_usage_and_multi_region()
    {
        var run = await KmsProcess.RunAsync(Env, "keys", "create", "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY", "--multi-region", "--output", "json");

        Assert.True(run.Code == 0, run.Error);
        var metadata = JsonDocument.Parse(run.Output).RootElement.GetProperty("KeyMetadata");
        Assert.Equal("ECC_NIST_P256", metadata.GetProperty("KeySpec").GetString());
        Assert.Equal("SIGN_VERIFY", metadata.GetProperty("KeyUsage").GetString());
        Assert.True(metadata.GetProperty("MultiRegion").GetBoolean());
        Assert.StartsWith("mrk-", metadata.GetProperty("KeyId").GetString());
    }

    [Fact]
    public async Task Keys_create_takes_the_key_policy_from_a_file_and_a_missing_file_is_exit_code_1()
    {
        var policy = Path.Combine(Path.GetTempPath(), $"kms-cli-policy-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(policy, """
            {"Version":"2012-10-17","Statement":[{"Sid":"only-the-root","Effect":"Allow",
              "Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"}]}
            """, TestContext.Current.CancellationToken);

        var created = await KmsProcess.RunAsync(Env, "keys", "create", "--policy", policy);
        var missing = await KmsProcess.RunAsync(Env, "keys", "create", "--policy", policy + ".missing");

        Assert.True(created.Code == 0, created.Error);
        using var kms = fixture.Client();
        var stored = await kms.GetKeyPolicyAsync(new Amazon.KeyManagementService.Model.GetKeyPolicyRequest { KeyId = created.Output.Trim(), PolicyName = "default" },
            TestContext.Current.CancellationToken);
        Assert.Contains("\"only-the-root\"", stored.Policy);
        Assert.Equal(1, missing.Code);
        Assert.StartsWith($"kms keys create: --policy {policy}.missing: ", missing.Error);
        File.Delete(policy);
    }

    [Fact]
    public async Task Alias_create_update_list_and_delete()
    {
        var first = (await KmsProcess.RunAsync(Env, "keys", "create")).Output.Trim();
        var second = (await KmsProcess.RunAsync(Env, "keys", "create")).Output.Trim();
        var name = "moving-" + Guid.NewGuid().ToString("N")[..8];

        var create = await KmsProcess.RunAsync(Env, "alias", "create", name, first);
        var update = await KmsProcess.RunAsync(Env, "alias", "update", "alias/" + name, second);
        var list = await KmsProcess.RunAsync(Env, "alias", "list", "--key", second, "--output", "json");
        var delete = await KmsProcess.RunAsync(Env, "alias", "delete", name);
        var after = await KmsProcess.RunAsync(Env, "alias", "list");

        Assert.Equal((0, $"Created alias/{name} -> {first}.{Environment.NewLine}"), (create.Code, create.Output));
        Assert.Equal((0, $"Updated alias/{name} -> {second}.{Environment.NewLine}"), (update.Code, update.Output));
        var entry = Assert.Single(JsonDocument.Parse(list.Output).RootElement.GetProperty("Aliases").EnumerateArray());
        Assert.Equal("alias/" + name, entry.GetProperty("AliasName").GetString());
        Assert.Equal(second, entry.GetProperty("TargetKeyId").GetString());
        Assert.Equal((0, $"Deleted alias/{name}.{Environment.NewLine}"), (delete.Code, delete.Output));
        Assert.StartsWith("ALIAS ", after.Output);
        Assert.DoesNotContain("alias/" + name, after.Output);
    }

    [Fact]
    public async Task An_unknown_key_is_one_line_with_the_service_s_error_and_exit_code_1()
    {
        var run = await KmsProcess.RunAsync(Env, "keys", "describe", "1234abcd-12ab-34cd-56ef-1234567890ab");

        Assert.Equal(1, run.Code);
        Assert.Equal("kms keys describe: NotFoundException: Key 'arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab' does not exist" + Environment.NewLine, run.Error);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task Access_denied_is_one_line_with_AWS_s_message_and_exit_code_1()
    {
        var env = new Dictionary<string, string>(Env) { ["AWS_ACCESS_KEY_ID"] = "BOB", ["AWS_SECRET_ACCESS_KEY"] = "bob-secret" };

        var run = await KmsProcess.RunAsync(env, "keys", "create");

        Assert.Equal(1, run.Code);
        Assert.StartsWith("kms keys create: AccessDeniedException: User: arn:aws:iam::000000000000:user/bob is not authorized to perform: kms:CreateKey", run.Error);
        Assert.Single(run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_one_line_naming_it_and_exit_code_1()
    {
        var port = TestPorts.Free();

        var run = await KmsProcess.RunAsync("alias", "list", "--endpoint", $"http://127.0.0.1:{port}");

        Assert.Equal(1, run.Code);
        Assert.Equal($"kms alias list: cannot reach http://127.0.0.1:{port}/: Connection refused." + Environment.NewLine, run.Error);
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("keys")]
    [InlineData("keys", "frobnicate")]
    [InlineData("keys", "describe")]
    [InlineData("keys", "list", "extra")]
    [InlineData("keys", "list", "--output", "xml")]
    [InlineData("keys", "create", "--tag", "novalue")]
    [InlineData("keys", "list", "--description", "only-for-create")]
    [InlineData("keys", "list", "--region")]
    [InlineData("alias", "create", "only-a-name")]
    [InlineData("alias", "delete")]
    [InlineData("alias", "list", "--endpoint", "ftp://example")]
    [InlineData("completion", "fish")]
    [InlineData("completion")]
    public async Task A_wrong_command_line_exits_with_2_and_says_what_is_wrong(params string[] args)
    {
        var run = await KmsProcess.RunAsync(args);

        Assert.Equal(2, run.Code);
        Assert.StartsWith("kms", run.Error);
        Assert.Empty(run.Output);
    }

    [Theory]
    [InlineData("keys", "kms keys list")]
    [InlineData("keys list", "kms keys list")]
    [InlineData("keys create", "kms keys list")]
    [InlineData("keys describe", "kms keys list")]
    [InlineData("alias", "kms alias list")]
    [InlineData("alias update", "kms alias list")]
    [InlineData("alias delete", "kms alias list")]
    [InlineData("completion", "kms completion bash|zsh")]
    [InlineData("audit", "kms audit")]
    [InlineData("audit export", "kms audit")]
    [InlineData("region", "kms region SUBCOMMAND")]
    [InlineData("region stop", "kms region SUBCOMMAND")]
    [InlineData("policy", "kms policy")]
    [InlineData("policy simulate", "kms policy simulate")]
    [InlineData("drill", "kms drill")]
    [InlineData("drill failover", "kms drill failover")]
    [InlineData("bench", "kms bench")]
    [InlineData("reset", "kms reset")]
    [InlineData("seed", "kms seed")]
    [InlineData("xks-proxy", "kms xks-proxy")]
    public async Task Help_is_on_every_command_and_subcommand(string command, string usage)
    {
        var run = await KmsProcess.RunAsync([.. command.Split(' '), "--help"]);

        Assert.True(run.Code == 0, run.Error);
        Assert.Contains("Usage: " + usage, run.Output);
        Assert.Empty(run.Error);
    }
}
