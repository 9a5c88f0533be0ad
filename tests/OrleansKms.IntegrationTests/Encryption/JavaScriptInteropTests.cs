using System.Security.Cryptography;
using System.Text.Json;
using Amazon.KeyManagementService.Model;
using OrleansKms.Encryption;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Encryption;

/// <summary>
/// Messages of the .NET library and of the official AWS Encryption SDK for JavaScript (npm @aws-crypto/client-node,
/// installed by <c>npm ci</c>) decrypt in the other, both suites, several frames and several wrapping keys, with
/// both sides' KMS keyrings calling the gateway. Node or the package missing is a failure, not a skip.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class JavaScriptInteropTests(KmsServerFixture fixture) : IDisposable
{
    private const int Frame = 1000;
    private static readonly string Script = Path.Combine(ToolProcess.RepositoryRoot, "tests", "interop", "esdk-js.js");

    private readonly string _directory = Directory.CreateTempSubdirectory("esdk-interop-").FullName;
    private readonly byte[] _plaintext = RandomNumberGenerator.GetBytes(5 * Frame + 123);

    private async Task<string> NewKeyAsync()
    {
        using var kms = fixture.Client();
        return (await kms.CreateKeyAsync(new CreateKeyRequest(), TestContext.Current.CancellationToken)).KeyMetadata.Arn;
    }

    private EnvelopeEncryptionClient DotNet(AlgorithmSuite suite, params string[] keys) =>
        new(new KmsKeyring(new KmsKeyringOptions { Client = fixture.Client(), KeyIds = keys }),
            new EnvelopeEncryptionOptions { Algorithm = suite, FrameLength = Frame });

    private async Task<ToolRun> JavaScriptAsync(string command, string[] keys, string input, string output, params string[] more)
    {
        Assert.True(File.Exists(Path.Combine(ToolProcess.RepositoryRoot, "node_modules", "@aws-crypto", "client-node", "package.json")),
            "npm package @aws-crypto/client-node is missing: run 'npm ci' in the repository root.");
        string[] args = [Script, command, "--endpoint", fixture.Server.Endpoint.ToString().TrimEnd('/'), "--region", fixture.Region,
            .. keys.SelectMany(k => new[] { "--key", k }), "--in", input, "--out", output, .. more];
        var run = await ToolProcess.NodeAsync(args);
        Assert.True(run.Code == 0, $"node {command} failed: {run.Error}");
        return run;
    }

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Theory]
    [InlineData(AlgorithmSuite.AesGcm256HkdfSha512CommitKey, "0478")]
    [InlineData(AlgorithmSuite.AesGcm256HkdfSha512CommitKeyEcdsaP384, "0578")]
    public async Task A_message_of_the_JavaScript_SDK_decrypts_in_dotnet_with_its_context(AlgorithmSuite suite, string suiteHex)
    {
        var key = await NewKeyAsync();
        await File.WriteAllBytesAsync(PathOf("plain"), _plaintext, TestContext.Current.CancellationToken);

        await JavaScriptAsync("encrypt", [key], PathOf("plain"), PathOf("js.msg"), "--suite", suiteHex, "--frame", Frame.ToString(), "--context", "app=interop");
        var message = await File.ReadAllBytesAsync(PathOf("js.msg"), TestContext.Current.CancellationToken);
        var decrypted = await DotNet(suite, key).DecryptAsync(message, new Dictionary<string, string> { ["app"] = "interop" }, TestContext.Current.CancellationToken);

        Assert.Equal(_plaintext, decrypted.Plaintext);
        Assert.Equal(suite, decrypted.Header.Suite);
        Assert.Equal(Frame, decrypted.Header.FrameLength);
        Assert.Equal(key, Assert.Single(decrypted.Header.EncryptedDataKeys).ProviderInfoText);
    }

    [Theory]
    [InlineData(AlgorithmSuite.AesGcm256HkdfSha512CommitKey, 0x0478)]
    [InlineData(AlgorithmSuite.AesGcm256HkdfSha512CommitKeyEcdsaP384, 0x0578)]
    public async Task A_message_of_dotnet_decrypts_in_the_JavaScript_SDK_with_its_context(AlgorithmSuite suite, int suiteId)
    {
        var key = await NewKeyAsync();
        var message = await DotNet(suite, key).EncryptAsync(_plaintext, new Dictionary<string, string> { ["app"] = "interop" },
            TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(PathOf("net.msg"), message, TestContext.Current.CancellationToken);

        var run = await JavaScriptAsync("decrypt", [key], PathOf("net.msg"), PathOf("back"));

        Assert.Equal(_plaintext, await File.ReadAllBytesAsync(PathOf("back"), TestContext.Current.CancellationToken));
        using var header = JsonDocument.Parse(run.OutputText);
        Assert.Equal(suiteId, header.RootElement.GetProperty("suiteId").GetInt32());
        Assert.Equal("interop", header.RootElement.GetProperty("encryptionContext").GetProperty("app").GetString());
    }

    [Fact]
    public async Task With_two_wrapping_keys_either_SDK_decrypts_the_other_s_message_with_the_second_key_alone()
    {
        var (first, second) = (await NewKeyAsync(), await NewKeyAsync());
        await File.WriteAllBytesAsync(PathOf("plain"), _plaintext, TestContext.Current.CancellationToken);
        var dotnetMessage = await DotNet(AlgorithmSuite.AesGcm256HkdfSha512CommitKeyEcdsaP384, first, second)
            .EncryptAsync(_plaintext, null, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(PathOf("net.msg"), dotnetMessage, TestContext.Current.CancellationToken);

        await JavaScriptAsync("encrypt", [first, second], PathOf("plain"), PathOf("js.msg"), "--suite", "0578", "--frame", Frame.ToString());
        await JavaScriptAsync("decrypt", [second], PathOf("net.msg"), PathOf("back"));
        var fromJavaScript = await DotNet(AlgorithmSuite.AesGcm256HkdfSha512CommitKeyEcdsaP384, second)
            .DecryptAsync(await File.ReadAllBytesAsync(PathOf("js.msg"), TestContext.Current.CancellationToken), null, TestContext.Current.CancellationToken);

        Assert.Equal(_plaintext, await File.ReadAllBytesAsync(PathOf("back"), TestContext.Current.CancellationToken));
        Assert.Equal(_plaintext, fromJavaScript.Plaintext);
        Assert.Equal([first, second], fromJavaScript.Header.EncryptedDataKeys.Select(k => k.ProviderInfoText));
    }

    public void Dispose() => Directory.Delete(_directory, true);
}
