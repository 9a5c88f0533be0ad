using System.Text.Json;
using OrleansKms.Cli.Bench;
using OrleansKms.IntegrationTests.Compatibility;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>
/// <c>kms bench</c> as a user runs it, against a real gateway: short runs (the figures themselves are not asserted;
/// docs/performance.md records them), checking that every row was measured, nothing failed, and the JSON holds it all.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class BenchCommandTests(KmsServerFixture fixture) : IDisposable
{
    private readonly string _json = Path.Combine(Path.GetTempPath(), $"kms-bench-{Guid.NewGuid():N}.json");

    private string Endpoint => fixture.Server.Endpoint.ToString();

    private static readonly string[] Short = ["--duration", "200ms", "--warmup", "0s", "--concurrency", "4"];

    private async Task<BenchResults> RunAsync(params string[] args)
    {
        var code = await BenchCommand.RunAsync([.. args, .. Short, "--endpoint", Endpoint, "--json", _json], TestContext.Current.CancellationToken);
        Assert.Equal(0, code);
        return JsonSerializer.Deserialize(await File.ReadAllTextAsync(_json, TestContext.Current.CancellationToken), BenchJsonContext.Default.BenchResults)!;
    }

    [Fact]
    public async Task Bench_measures_encrypt_decrypt_and_generate_data_key_with_one_and_many_keys_and_the_ceiling()
    {
        var results = await RunAsync("--keys", "3");

        Assert.Equal(
            [("Encrypt", "1 key"), ("Decrypt", "1 key"), ("GenerateDataKey", "1 key"), ("Encrypt", "3 keys"), ("Decrypt", "3 keys"), ("GenerateDataKey", "3 keys")],
            results.Results.Select(r => (r.Operation, r.Setup)));
        Assert.All(results.Results, r => Assert.True(r.Operations > 0 && r.Errors == 0, $"{r.Operation} {r.Setup}: {r.Operations} calls, {r.Errors} errors"));
        Assert.Equal([1, 1, 1, 3, 3, 3], results.Results.Select(r => r.Keys));
        var ceiling = Assert.IsType<OperationResult>(results.Ceiling);
        Assert.True(ceiling.Operations > 0 && ceiling.Errors == 0);
        Assert.Equal(["1 key", "3 keys"], results.Comparisons.Select(c => c.Setup));
        Assert.All(results.Comparisons, c => Assert.Equal(c.KmsOpsPerSecond / c.CeilingOpsPerSecond, c.OpsRatio, 6));
    }

    [Fact]
    public async Task Bench_signs_and_verifies_with_each_signing_spec_asked_for()
    {
        var results = await RunAsync("--operations", "sign,verify", "--signing-specs", "ML_DSA_44,ECC_NIST_P256");

        Assert.Equal(
            [("Sign", "ECC_NIST_P256"), ("Verify", "ECC_NIST_P256"), ("Sign", "ML_DSA_44"), ("Verify", "ML_DSA_44")],
            results.Results.Select(r => (r.Operation, r.Setup)));
        Assert.All(results.Results, r => Assert.True(r.Operations > 0 && r.Errors == 0, $"{r.Operation} {r.Setup}: {r.Operations} calls, {r.Errors} errors"));
        Assert.Null(results.Ceiling);
    }

    [Theory]
    [InlineData("--operations", "encrypt,rotate")]
    [InlineData("--signing-specs", "RSA_1024")]
    [InlineData("--endpoint", "http://example.com:4566")]
    [InlineData("--duration", "0s")]
    [InlineData("--nonsense", "1")]
    public async Task A_bad_command_line_exits_with_2_before_calling_anything(string option, string value)
    {
        Assert.Equal(2, await BenchCommand.RunAsync([option, value], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_wrong_secret_fails_the_setup_with_exit_code_1()
    {
        var code = await BenchCommand.RunAsync(["--endpoint", Endpoint, "--secret-key", "wrong", .. Short], TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
        Assert.False(File.Exists(_json));
    }

    [Fact]
    public async Task Create_keys_creates_that_many_keys_and_succeeds_only_when_list_keys_lists_them_all()
    {
        var kms = fixture.Client();
        var before = (await kms.ListAllKeyIdsAsync()).Count;

        var code = await BenchCommand.RunAsync(["--create-keys", "30", "--callers", "4", "--interval", "100ms", "--endpoint", Endpoint], TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        Assert.Equal(before + 30, (await kms.ListAllKeyIdsAsync()).Count);
    }

    [Theory]
    [InlineData("--create-keys", "0")]
    [InlineData("--callers", "x")]
    [InlineData("--interval", "1ms")]
    public async Task Create_keys_with_a_bad_option_exits_with_2(string option, string value)
    {
        var args = option == "--create-keys" ? new[] { option, value } : ["--create-keys", "5", option, value];
        Assert.Equal(2, await BenchCommand.RunAsync(args, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Create_keys_with_a_wrong_secret_exits_with_1()
    {
        var code = await BenchCommand.RunAsync(["--create-keys", "5", "--callers", "2", "--secret-key", "wrong", "--endpoint", Endpoint], TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
    }

    public void Dispose() => File.Delete(_json);
}
