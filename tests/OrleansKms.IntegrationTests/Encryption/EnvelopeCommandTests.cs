using System.Security.Cryptography;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Compatibility;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Encryption;

/// <summary>
/// <c>kms encrypt</c> and <c>kms decrypt</c> run as processes against the gateway: files and pipes, context checks,
/// multi-Region replicas, and the one-line errors with exit code 1 for a wrong key, a changed or cut message and an
/// unreachable endpoint.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class EnvelopeCommandTests(KmsServerFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kms-envelope-cli-").FullName;
    private readonly byte[] _plaintext = RandomNumberGenerator.GetBytes(50_000);

    private string Endpoint => fixture.Server.Endpoint.ToString();

    private string PathOf(string name) => Path.Combine(_directory, name);

    private async Task<string> NewKeyAsync()
    {
        using var kms = fixture.Client();
        return (await kms.CreateKeyAsync(new CreateKeyRequest(), TestContext.Current.CancellationToken)).KeyMetadata.Arn;
    }

    private Task<ToolRun> KmsAsync(byte[]? input, params string[] args) =>
        ToolProcess.KmsAsync(input, [.. args, "--endpoint-url", Endpoint, "--access-key", "test", "--secret-key", "test"]);

    private async Task<string> EncryptedFileAsync(string key, params string[] more)
    {
        await File.WriteAllBytesAsync(PathOf("plain"), _plaintext, TestContext.Current.CancellationToken);
        var run = await KmsAsync(null, ["encrypt", "--key", key, "--in", PathOf("plain"), "--out", PathOf("plain.enc"), .. more]);
        Assert.True(run.Code == 0, run.Error);
        return PathOf("plain.enc");
    }

    [Theory]
    [InlineData("committed-signed", "1000")]
    [InlineData("committed", "65536")]
    public async Task A_file_encrypts_and_decrypts_with_its_context_and_nothing_on_standard_error(string algorithm, string frame)
    {
        var key = await NewKeyAsync();
        var encrypted = await EncryptedFileAsync(key, "--context", "app=cli", "--context", "tier=gold", "--algorithm", algorithm, "--frame-size", frame);

        var decrypt = await KmsAsync(null, "decrypt", "--in", encrypted, "--out", PathOf("back"), "--context", "tier=gold");

        Assert.Equal((0, ""), (decrypt.Code, decrypt.Error));
        Assert.Equal(_plaintext, await File.ReadAllBytesAsync(PathOf("back"), TestContext.Current.CancellationToken));
        var message = await File.ReadAllBytesAsync(encrypted, TestContext.Current.CancellationToken);
        Assert.Equal(algorithm == "committed" ? 0x04 : 0x05, message[1]);
    }

    [Fact]
    public async Task Pipes_carry_plaintext_and_message_through_standard_input_and_output()
    {
        var key = await NewKeyAsync();

        var encrypt = await KmsAsync(_plaintext, "encrypt", "--key", key, "--in", "-", "--out", "-");
        var decrypt = await KmsAsync(encrypt.Output, "decrypt", "--in", "-", "--out", "-");

        Assert.Equal((0, ""), (encrypt.Code, encrypt.Error));
        Assert.Equal((0, ""), (decrypt.Code, decrypt.Error));
        Assert.Equal(_plaintext, decrypt.Output);
    }

    [Fact]
    public async Task A_multi_Region_message_decrypts_with_the_replica_of_the_Region_given()
    {
        using var east = fixture.Client();
        using var west = SdkClients.Create(fixture.Server.Endpoint, "eu-west-1", "test", "test");
        var primary = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true }, TestContext.Current.CancellationToken)).KeyMetadata;
        await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "eu-west-1" }, TestContext.Current.CancellationToken);
        await Replication.ReplicaEnabledAsync(west, primary.KeyId);
        var encrypted = await EncryptedFileAsync(primary.Arn);
        await east.DisableKeyAsync(new DisableKeyRequest { KeyId = primary.KeyId }, TestContext.Current.CancellationToken);

        var inEast = await KmsAsync(null, "decrypt", "--in", encrypted, "--out", PathOf("east"), "--region", "us-east-1");
        var inWest = await KmsAsync(null, "decrypt", "--in", encrypted, "--out", PathOf("west"), "--region", "eu-west-1");

        Assert.Equal(1, inEast.Code);
        Assert.StartsWith("kms decrypt: No KMS key could decrypt the message's data key (DisabledException", inEast.Error);
        Assert.Equal((0, ""), (inWest.Code, inWest.Error));
        Assert.Equal(_plaintext, await File.ReadAllBytesAsync(PathOf("west"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_key_that_did_not_wrap_the_data_key_is_one_line_and_exit_code_1()
    {
        var encrypted = await EncryptedFileAsync(await NewKeyAsync());

        var run = await KmsAsync(null, "decrypt", "--in", encrypted, "--out", PathOf("back"), "--key", await NewKeyAsync());

        Assert.Equal(1, run.Code);
        Assert.Equal("kms decrypt: No KMS key could decrypt the message's data key (none of the message's encrypted data keys was made with a KMS key of the keyring).\n", run.Error);
        Assert.False(File.Exists(PathOf("back")));
    }

    [Fact]
    public async Task A_changed_or_cut_message_is_one_line_exit_code_1_and_no_output_file()
    {
        var encrypted = await EncryptedFileAsync(await NewKeyAsync(), "--frame-size", "4096");
        var message = await File.ReadAllBytesAsync(encrypted, TestContext.Current.CancellationToken);
        var changed = (byte[])message.Clone();
        changed[message.Length / 2] ^= 0x10;
        await File.WriteAllBytesAsync(PathOf("changed"), changed, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(PathOf("cut"), message[..(message.Length - 200)], TestContext.Current.CancellationToken);

        var tampered = await KmsAsync(null, "decrypt", "--in", PathOf("changed"), "--out", PathOf("back"));
        var cut = await KmsAsync(null, "decrypt", "--in", PathOf("cut"), "--out", PathOf("back"));

        Assert.Equal(1, tampered.Code);
        Assert.Matches(@"^kms decrypt: Frame \d+ does not verify: the message was changed\.\n$", tampered.Error);
        Assert.Equal(1, cut.Code);
        Assert.Matches(@"^kms decrypt: The message ends inside (the final frame|the signature|a frame): it was cut short\.\n$", cut.Error);
        Assert.False(File.Exists(PathOf("back")));
        Assert.Equal(["changed", "cut", "plain", "plain.enc"], Directory.GetFiles(_directory).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task A_context_pair_the_message_lacks_is_refused()
    {
        var encrypted = await EncryptedFileAsync(await NewKeyAsync(), "--context", "app=cli");

        var run = await KmsAsync(null, "decrypt", "--in", encrypted, "--out", "-", "--context", "app=other");

        Assert.Equal(1, run.Code);
        Assert.Equal("kms decrypt: Encryption context mismatch: the message's 'app' is not the value required.\n", run.Error);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_one_line_and_exit_code_1()
    {
        await File.WriteAllBytesAsync(PathOf("plain"), _plaintext, TestContext.Current.CancellationToken);
        var port = TestPorts.Free();

        var run = await ToolProcess.KmsAsync(null, "encrypt", "--key", "alias/any", "--in", PathOf("plain"), "--out", PathOf("x"),
            "--endpoint-url", $"http://127.0.0.1:{port}");

        Assert.Equal(1, run.Code);
        Assert.StartsWith($"kms encrypt: cannot reach the KMS endpoint http://127.0.0.1:{port}/: ", run.Error);
        Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(PathOf("x")));
    }

    [Fact]
    public async Task A_key_that_does_not_exist_is_the_service_s_error()
    {
        await File.WriteAllBytesAsync(PathOf("plain"), _plaintext, TestContext.Current.CancellationToken);

        var run = await KmsAsync(null, "encrypt", "--key", "alias/none-such", "--in", PathOf("plain"), "--out", PathOf("x"));

        Assert.Equal(1, run.Code);
        Assert.StartsWith("kms encrypt: NotFoundException: Alias arn:aws:kms:us-east-1:", run.Error);
    }

    [Theory]
    [InlineData("encrypt", "Usage: kms encrypt --key KEY")]
    [InlineData("decrypt", "Usage: kms decrypt --in FILE|- --out FILE|-")]
    public async Task Help_prints_the_usage_and_exits_0(string command, string usage)
    {
        var run = await ToolProcess.KmsAsync(null, command, "--help");

        Assert.Equal(0, run.Code);
        Assert.StartsWith(usage, run.OutputText);
        Assert.Contains("--endpoint-url URL", run.OutputText);
    }

    [Theory]
    [InlineData("encrypt", "--in", "a", "--out", "b")]
    [InlineData("encrypt", "--key", "k", "--in", "a", "--out", "b", "--algorithm", "fast")]
    [InlineData("encrypt", "--key", "k", "--in", "a", "--out", "b", "--frame-size", "0")]
    [InlineData("decrypt", "--in", "a")]
    [InlineData("decrypt", "--in", "a", "--out", "b", "--context", "novalue")]
    [InlineData("decrypt", "--in", "a", "--out", "b", "--frame-size", "10")]
    public async Task A_bad_command_line_exits_with_2_and_says_what_is_wrong(params string[] args)
    {
        var run = await ToolProcess.KmsAsync(null, args);

        Assert.Equal(2, run.Code);
        Assert.StartsWith($"kms {args[0]}: ", run.Error);
        Assert.Empty(run.Output);
    }

    public void Dispose() => Directory.Delete(_directory, true);
}

/// <summary>
/// The progress bar of <c>kms encrypt</c>, run in-process where the test decides whether standard error is a terminal:
/// drawn for a file of known size on a terminal, never otherwise, and never on standard output.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class EnvelopeProgressTests(KmsServerFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kms-envelope-progress-").FullName;

    private async Task<(int Code, string Error, long Output)> EncryptAsync(bool terminal, string input)
    {
        using var kms = fixture.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest(), TestContext.Current.CancellationToken)).KeyMetadata.Arn;
        using var error = new StringWriter();
        using var stdout = new MemoryStream();
        await using var stdin = new MemoryStream(new byte[300_000]);
        var code = await OrleansKms.Cli.Envelope.EnvelopeCommands.RunAsync(
            ["--key", key, "--in", input, "--out", "-", "--endpoint-url", fixture.Server.Endpoint.ToString()],
            encrypt: true, stdin, stdout, error, terminal, TestContext.Current.CancellationToken);
        return (code, error.ToString(), stdout.Length);
    }

    [Fact]
    public async Task A_file_on_a_terminal_gets_a_bar_that_ends_at_100_percent_and_a_pipe_or_a_redirected_stderr_gets_none()
    {
        var file = Path.Combine(_directory, "plain");
        await File.WriteAllBytesAsync(file, new byte[3 << 20], TestContext.Current.CancellationToken);

        var onTerminal = await EncryptAsync(terminal: true, file);
        var redirected = await EncryptAsync(terminal: false, file);
        var fromPipe = await EncryptAsync(terminal: true, "-");

        Assert.Equal(0, onTerminal.Code);
        Assert.StartsWith("\r[", onTerminal.Error);
        Assert.EndsWith("\r[##############################] 100% 3 / 3 MiB" + Environment.NewLine, onTerminal.Error);
        Assert.True(onTerminal.Output > 3 << 20);
        Assert.Equal((0, ""), (redirected.Code, redirected.Error));
        Assert.Equal((0, ""), (fromPipe.Code, fromPipe.Error));
    }

    public void Dispose() => Directory.Delete(_directory, true);
}
