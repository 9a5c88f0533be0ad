using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using OrleansKms.Cli.Xks;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>
/// <c>kms xks-proxy</c> as a user runs it: the command line, secrets from files, --create-key, Ctrl-C; HTTPS; and a
/// request signed by curl's own SigV4 (the spec's troubleshooting tool), an implementation independent of ours.
/// </summary>
public sealed class XksProxyCommandTests(XksProxyFixture fixture) : IClassFixture<XksProxyFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kms-xks-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content + "\n");
        return path;
    }

    [Fact]
    public async Task Help_prints_the_usage_and_a_bad_command_line_exits_2()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        Assert.Equal(0, await XksProxyCommand.RunAsync(["--help"], output, error, _ => null, TestContext.Current.CancellationToken));
        Assert.Contains("Usage: kms xks-proxy --port P", output.ToString());
        Assert.Contains("--create-key LABEL", output.ToString());

        string[] bad = ["--port", "0", "--pkcs11-module", "/m.so", "--token-label", "t", "--access-key-id", "lowercase-is-not-allowed"];
        Assert.Equal(2, await XksProxyCommand.RunAsync(bad, output, error, v => v == "KMS_XKS_PIN" ? "1234" : XksProxyFixture.Credential.SecretAccessKey, TestContext.Current.CancellationToken));
        Assert.Contains("'lowercase-is-not-allowed' must be 20 to 30 characters A-Z and 2-7", error.ToString());
        Assert.Equal(2, await XksProxyCommand.RunAsync(["--pkcs11-module", "/m.so"], output, error, _ => null, TestContext.Current.CancellationToken));
        Assert.Contains("--port is required", error.ToString());
    }

    [Fact]
    public async Task The_command_creates_its_keys_serves_signed_requests_and_stops_on_ctrl_c()
    {
        SoftHsmTestTokens.RequireInstalled();
        var token = SoftHsmTestTokens.CreateToken();
        string[] args =
        [
            "--port", "0", "--uri-path", "/demo", "--pkcs11-module", SoftHsmTestTokens.Module!, "--token-label", token,
            "--pin-file", WriteFile("pin", SoftHsmTestTokens.UserPin), "--access-key-id", XksProxyFixture.Credential.AccessKeyId,
            "--secret-access-key-file", WriteFile("secret", XksProxyFixture.Credential.SecretAccessKey), "--create-key", "demo-key",
        ];
        var output = new SignallingWriter("Press Ctrl-C");
        using var ctrlC = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var run = XksProxyCommand.RunAsync(args, output, new StringWriter(), _ => null, ctrlC.Token);
        await output.Signalled.WaitAsync(TestContext.Current.CancellationToken);
        var baseUri = output.ToString().Split('\n')[0].Replace("XKS proxy serving ", "").Trim();
        Assert.EndsWith("/demo/kms/xks/v1", baseUri);
        Assert.Contains("XksProxyUriPath:     /demo/kms/xks/v1", output.ToString());
        Assert.Contains("1 AES-256 key(s): demo-key", output.ToString());
        using var response = await fixture.Http.SendAsync(XksSigner.Post(new Uri(baseUri + "/keys/demo-key/metadata"),
            """{"requestMetadata": {"awsPrincipalArn": "arn:aws:iam::123456789012:user/Alice", "kmsOperation": "CreateKey", "kmsRequestId": "r-1"}}"""),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await ctrlC.CancelAsync();

        Assert.Equal(0, await run);
        Assert.Contains("XKS proxy stopping.", output.ToString());
    }

    [Fact]
    public async Task A_wrong_pin_fails_to_start_with_exit_1_and_a_message_without_the_pin()
    {
        SoftHsmTestTokens.RequireInstalled();
        var token = SoftHsmTestTokens.CreateToken();
        var error = new StringWriter();
        string[] args =
        [
            "--port", "0", "--pkcs11-module", SoftHsmTestTokens.Module!, "--token-label", token,
            "--access-key-id", XksProxyFixture.Credential.AccessKeyId,
        ];

        var code = await XksProxyCommand.RunAsync(args, new StringWriter(), error,
            v => v == "KMS_XKS_PIN" ? "not-the-pin-9876" : XksProxyFixture.Credential.SecretAccessKey, TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
        Assert.Contains($"Login to PKCS#11 token '{token}'", error.ToString());
        Assert.Contains("PIN is incorrect", error.ToString());
        Assert.DoesNotContain("not-the-pin-9876", error.ToString());
    }

    [Fact]
    public async Task With_a_certificate_the_proxy_serves_https()
    {
        var server = fixture.Require();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=xks.example.com", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var options = SoftHsmTestTokens.ProxyOptions(server.Token.TokenLabel);
        options.TlsCertificatePath = WriteFile("cert.pem", certificate.ExportCertificatePem());
        options.TlsKeyPath = WriteFile("key.pem", key.ExportPkcs8PrivateKeyPem());
        await using var https = await XksProxyServer.StartAsync(options, TestContext.Current.CancellationToken);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Thumbprint == certificate.Thumbprint };
        using var client = new HttpClient(handler);

        using var response = await client.SendAsync(XksSigner.Post(new Uri(https.BaseUri + "/health"), "{}"), TestContext.Current.CancellationToken);

        Assert.Equal("https", https.Endpoint.Scheme);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_request_signed_by_curl_aws_sigv4_is_accepted()
    {
        var server = fixture.Require();
        if (!File.Exists("/usr/bin/curl")) Assert.Skip("curl is not installed: apt-get install -y curl");
        var body = WriteFile("encrypt.json", $$"""
            {"requestMetadata": {"awsPrincipalArn": "arn:aws:iam::123456789012:user/Alice", "kmsKeyArn": "arn:aws:kms:us-east-2:123456789012:key/k", "kmsOperation": "GenerateDataKey", "kmsRequestId": "curl-1"},
             "plaintext": "SGVsbG8gV29ybGQh", "encryptionAlgorithm": "AES_GCM"}
            """);
        var credential = XksProxyFixture.Credential;
        var curl = new ProcessStartInfo("/usr/bin/curl")
        {
            ArgumentList = { "-s", "--aws-sigv4", "aws:amz:us-east-1:kms-xks-proxy", "--user", $"{credential.AccessKeyId}:{credential.SecretAccessKey}",
                "-X", "POST", "-H", "Content-Type:application/json", "--data", $"@{body}", $"{server.BaseUri}/keys/{XksProxyFixture.KeyId}/encrypt" },
            RedirectStandardOutput = true,
        };

        using var process = Process.Start(curl)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        var response = JsonDocument.Parse(output).RootElement;
        Assert.True(response.TryGetProperty("ciphertext", out var ciphertext), output);
        Assert.Equal(12, ciphertext.GetBytesFromBase64().Length);
    }

    /// <summary>Collects what the command prints; signals once <c>marker</c> is printed and flushed.</summary>
    private sealed class SignallingWriter(string marker) : StringWriter
    {
        private readonly TaskCompletionSource _signalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Signalled => _signalled.Task;

        public override void Flush()
        {
            base.Flush();
            if (ToString().Contains(marker, StringComparison.Ordinal)) _signalled.TrySetResult();
        }
    }
}
