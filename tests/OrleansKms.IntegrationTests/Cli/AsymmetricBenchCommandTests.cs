using OrleansKms.Cli.Bench;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>
/// <c>kms bench --create-rsa</c> against a real gateway and <c>kms bench --asymmetric-primitive</c> with its own
/// in-process service, in short runs: every row is printed and the run succeeds (the figures are docs/performance.md's).
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class AsymmetricBenchCommandTests(KmsServerFixture fixture)
{
    private static string[] Rows(StringWriter output) =>
        output.ToString().Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| key spec", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task Create_rsa_prints_the_latency_of_each_spec_asked_for()
    {
        using var output = new StringWriter();
        var code = await CreateRsaBench.RunAsync(
            ["--create-rsa", "--keys", "2", "--specs", "RSA_2048,SYMMETRIC_DEFAULT", "--endpoint", fixture.Server.Endpoint.ToString()],
            output, TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        var rows = Rows(output);
        Assert.Equal(["RSA_2048", "SYMMETRIC_DEFAULT"], rows.Select(r => r.Split('|')[1].Trim()));
        Assert.All(rows, r => Assert.Equal("2", r.Split('|')[2].Trim()));
    }

    [Fact]
    public async Task Asymmetric_primitive_compares_sign_and_verify_for_each_spec_asked_for()
    {
        using var output = new StringWriter();
        var code = await AsymmetricPrimitiveBench.RunAsync(
            ["--asymmetric-primitive", "--specs", "ECC_NIST_P256,ECC_NIST_EDWARDS25519", "--duration", "20ms", "--rounds", "1"],
            output, TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        var rows = Rows(output).Select(r => r.Split('|').Select(c => c.Trim()).ToArray()).ToArray();
        Assert.Equal([("ECC_NIST_P256", "ECDSA_SHA_256"), ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512")], rows.Select(r => (r[1], r[2])));
        Assert.All(rows, r => Assert.All(r[3..9], c => Assert.True(double.Parse(c, System.Globalization.CultureInfo.InvariantCulture) > 0, c)));
    }

    [Theory]
    [InlineData("--create-rsa", "--specs", "RSA_1024")]
    [InlineData("--create-rsa", "--keys", "0")]
    [InlineData("--create-rsa", "--endpoint", "http://example.com:4566")]
    [InlineData("--asymmetric-primitive", "--specs", "SM2")]
    [InlineData("--asymmetric-primitive", "--rounds", "0")]
    public async Task Bad_options_exit_with_2(params string[] args)
    {
        using var output = new StringWriter();
        var code = args[0] == "--create-rsa"
            ? await CreateRsaBench.RunAsync(args, output, TestContext.Current.CancellationToken)
            : await AsymmetricPrimitiveBench.RunAsync(args, output, TestContext.Current.CancellationToken);
        Assert.Equal(2, code);
    }
}
