using System.Text.Json;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>
/// Where <c>kms</c> takes its endpoint, Region and credentials from, as the AWS CLI does: options, then AWS_* variables,
/// then the profile of the shared credentials and config files (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE), then the
/// local development defaults. Each case creates a key and reads whose account and which Region it landed in.
/// </summary>
public sealed class ConfigurationResolutionTests(CliServerFixture fixture) : IClassFixture<CliServerFixture>, IDisposable
{
    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("kms-cli-config-");

    private string Unreachable { get; } = $"http://127.0.0.1:{TestPorts.Free()}";

    public void Dispose() => _files.Delete(recursive: true);

    /// <summary>Writes the two shared files: profile <c>prof</c> (PROFKEY, eu-west-1, the endpoint) and a <c>default</c> with nothing usable.</summary>
    private Dictionary<string, string> Files(string? configExtra = null)
    {
        var credentials = Path.Combine(_files.FullName, "credentials");
        var config = Path.Combine(_files.FullName, "config");
        File.WriteAllText(credentials, """
            # test profiles
            [prof]
            aws_access_key_id = PROFKEY
            aws_secret_access_key = prof-secret
            """);
        File.WriteAllText(config, $"""
            [default]
            region = us-west-2

            [profile prof]
            region = eu-west-1
            endpoint_url = {fixture.Endpoint}
            {configExtra}
            """);
        return new() { ["AWS_SHARED_CREDENTIALS_FILE"] = credentials, ["AWS_CONFIG_FILE"] = config };
    }

    private static async Task<(string Account, string Region)> CreatedAsync(Dictionary<string, string> environment, params string[] args)
    {
        var run = await KmsProcess.RunAsync(environment, ["keys", "create", "--output", "json", .. args]);
        Assert.True(run.Code == 0, $"exit {run.Code}: {run.Error}");
        var arn = JsonDocument.Parse(run.Output).RootElement.GetProperty("KeyMetadata").GetProperty("Arn").GetString()!.Split(':');
        return (arn[4], arn[3]);
    }

    [Fact]
    public async Task With_nothing_set_the_development_identity_is_used_in_us_east_1()
    {
        Assert.Equal(("000000000000", "us-east-1"), await CreatedAsync([], "--endpoint", fixture.Endpoint));
    }

    [Fact]
    public async Task AWS_PROFILE_gives_the_profile_s_credentials_Region_and_endpoint_url()
    {
        var env = Files();
        env["AWS_PROFILE"] = "prof";

        Assert.Equal(("333333333333", "eu-west-1"), await CreatedAsync(env));
    }

    [Fact]
    public async Task Environment_credentials_and_Region_win_over_AWS_PROFILE()
    {
        var env = Files();
        env["AWS_PROFILE"] = "prof";
        env["AWS_ACCESS_KEY_ID"] = "ENVKEY";
        env["AWS_SECRET_ACCESS_KEY"] = "env-secret";
        env["AWS_DEFAULT_REGION"] = "ap-south-1";

        Assert.Equal(("222222222222", "ap-south-1"), await CreatedAsync(env));
    }

    [Fact]
    public async Task A_profile_named_with_the_option_wins_over_environment_credentials_but_not_over_AWS_REGION()
    {
        var env = Files();
        env["AWS_ACCESS_KEY_ID"] = "ENVKEY";
        env["AWS_SECRET_ACCESS_KEY"] = "env-secret";
        env["AWS_REGION"] = "ca-central-1";

        Assert.Equal(("333333333333", "ca-central-1"), await CreatedAsync(env, "--profile", "prof"));
    }

    [Fact]
    public async Task Options_win_over_everything()
    {
        var env = Files();
        env["AWS_PROFILE"] = "prof";
        env["AWS_REGION"] = "ca-central-1";
        env["AWS_ENDPOINT_URL"] = Unreachable;

        Assert.Equal(("000000000000", "sa-east-1"), await CreatedAsync(env,
            "--endpoint-url", fixture.Endpoint, "--region", "sa-east-1", "--access-key", "test", "--secret-key", "test"));
    }

    [Fact]
    public async Task AWS_ENDPOINT_URL_KMS_wins_over_AWS_ENDPOINT_URL_which_wins_over_the_profile()
    {
        var env = Files();
        env["AWS_PROFILE"] = "prof";
        env["AWS_ENDPOINT_URL"] = Unreachable;
        var general = await KmsProcess.RunAsync(env, "keys", "list");
        env["AWS_ENDPOINT_URL_KMS"] = fixture.Endpoint;

        var specific = await CreatedAsync(env);

        Assert.Equal(1, general.Code);
        Assert.StartsWith($"kms keys list: cannot reach {Unreachable}/", general.Error);
        Assert.Equal(("333333333333", "eu-west-1"), specific);
    }

    [Fact]
    public async Task The_profile_s_services_section_for_kms_wins_over_its_endpoint_url()
    {
        var env = Files($"services = local\n\n[services local]\nkms =\n  endpoint_url = {fixture.Endpoint}\n");
        File.WriteAllText(env["AWS_CONFIG_FILE"], File.ReadAllText(env["AWS_CONFIG_FILE"]).Replace($"endpoint_url = {fixture.Endpoint}\nservices", $"endpoint_url = {Unreachable}\nservices"));
        env["AWS_PROFILE"] = "prof";

        Assert.Contains($"endpoint_url = {Unreachable}", File.ReadAllText(env["AWS_CONFIG_FILE"]));
        Assert.Equal(("333333333333", "eu-west-1"), await CreatedAsync(env));
    }

    [Fact]
    public async Task The_default_profile_s_Region_applies_without_AWS_PROFILE()
    {
        Assert.Equal(("000000000000", "us-west-2"), await CreatedAsync(Files(), "--endpoint", fixture.Endpoint));
    }

    [Theory]
    [InlineData("--profile", "--profile")]
    [InlineData("AWS_PROFILE", "$AWS_PROFILE")]
    public async Task A_profile_in_neither_file_is_a_wrong_command_line(string how, string named)
    {
        var env = Files();
        string[] args = ["keys", "list"];
        if (how == "AWS_PROFILE") env["AWS_PROFILE"] = "missing";
        else args = [.. args, "--profile", "missing"];

        var run = await KmsProcess.RunAsync(env, args);

        Assert.Equal(2, run.Code);
        Assert.StartsWith($"kms keys list: the profile 'missing' ({named}) is in neither {env["AWS_SHARED_CREDENTIALS_FILE"]} nor {env["AWS_CONFIG_FILE"]}.", run.Error);
    }
}
