using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using OrleansKms.Cli.Xks;
using OrleansKms.KeyStores;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>
/// One in-process <c>kms xks-proxy</c> (<see cref="XksProxyServer"/>) per test class, on a free port with the path
/// prefix /example/prefix, backed by a new SoftHSM2 token holding the key <see cref="KeyId"/>. Tests that use it are
/// skipped, with the install command, when SoftHSM2 is absent.
/// </summary>
public sealed class XksProxyFixture : IAsyncLifetime
{
    public const string KeyId = "xks-test-key-1";
    internal static readonly XksCredential Credential = new("AKIAI2SFODNN7EXAMPLE", "FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE");
    internal static readonly XksCredential NextCredential = new("BQKZ2TXZ7VXQ7ROTATEDA", "Zm9yIHJvdGF0aW9uOiBhIHNlY29uZCBzZWNyZXQgYWNjZXNzIGtleQ==");
    private XksProxyServer? _server;

    internal XksProxyServer Server => _server ?? throw new InvalidOperationException("unreachable: skipped above");

    public CapturingLogger Log { get; } = new();

    public HttpClient Http { get; } = new();

    public async ValueTask InitializeAsync()
    {
        if (SoftHsmTestTokens.Module is null) return;
        var options = SoftHsmTestTokens.ProxyOptions(SoftHsmTestTokens.CreateToken());
        options.UriPathPrefix = "/example/prefix";
        options.Credentials.Add(NextCredential);
        options.CreateKeys.Add(KeyId);
        options.Logger = Log;
        _server = await XksProxyServer.StartAsync(options, CancellationToken.None);
    }

    /// <summary>The server, or the test is skipped when SoftHSM2 is not installed.</summary>
    internal XksProxyServer Require()
    {
        SoftHsmTestTokens.RequireInstalled();
        return Server;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>SoftHSM2 tokens for this test process, in /tmp/orleanskms-softhsm/PID (directories of ended processes are removed).</summary>
public static class SoftHsmTestTokens
{
    public const string UserPin = "xks-user-pin-1234", SoPin = "xks-so-pin-5678";
    public const string InstallHint = "SoftHSM2 is not installed, so the XKS proxy tests cannot run: apt-get install -y softhsm2";

    public static string? Module => Pkcs11Tokens.SoftHsmModule;

    public static void RequireInstalled()
    {
        if (Module is null) Assert.Skip(InstallHint);
    }

    /// <summary>A new token with <see cref="UserPin"/>; its label is returned.</summary>
    public static string CreateToken()
    {
        RequireInstalled();
        SoftHsm.EnsureConfigured(Configured.Value);
        var label = $"x{Environment.ProcessId}-{Guid.NewGuid():N}"[..32];
        SoftHsm.CreateToken(label, SoPin, UserPin);
        return label;
    }

    /// <summary>Proxy options for a token, a free port, and <see cref="XksProxyFixture.Credential"/>.</summary>
    internal static XksProxyOptions ProxyOptions(string tokenLabel)
    {
        var options = new XksProxyOptions { ModulePath = Module!, TokenLabel = tokenLabel, Pin = UserPin };
        options.Credentials.Add(XksProxyFixture.Credential);
        return options;
    }

    private static readonly Lazy<string> Configured = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), "orleanskms-softhsm");
        foreach (var stale in Directory.Exists(root) ? Directory.GetDirectories(root) : [])
        {
            try
            {
                if (int.TryParse(Path.GetFileName(stale), out var pid) && pid != Environment.ProcessId && !IsRunning(pid))
                    Directory.Delete(stale, recursive: true);
            }
            catch (IOException)
            {
                // Another test process is cleaning up too.
            }
        }

        return Path.Combine(root, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
    });

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>A SigV4 signer as AWS KMS signs XKS requests: service kms-xks-proxy, SignedHeaders=host;x-amz-date.</summary>
public static class XksSigner
{
    internal static HttpRequestMessage Post(Uri uri, string body, XksCredential? credential = null, DateTimeOffset? at = null,
        string service = "kms-xks-proxy", string region = "us-east-1")
    {
        credential ??= XksProxyFixture.Credential;
        var bytes = Encoding.UTF8.GetBytes(body);
        var amzDate = (at ?? DateTimeOffset.UtcNow).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        var canonical = $"POST\n{uri.AbsolutePath}\n\nhost:{uri.Authority}\nx-amz-date:{amzDate}\n\nhost;x-amz-date\n{Hex(SHA256.HashData(bytes))}";
        var scope = $"{amzDate[..8]}/{region}/{service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + credential.SecretAccessKey), amzDate[..8]), region), service), "aws4_request");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={credential.AccessKeyId}/{scope}, SignedHeaders=host;x-amz-date, Signature={Hex(Hmac(key, toSign))}");
        return request;
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}

/// <summary>Keeps what the proxy logs, to check what it must and must not write.</summary>
public sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception));
}
