using System.Collections.Concurrent;
using System.Text;
using Amazon.KeyManagementService.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Audit;

/// <summary>With an OTLP endpoint configured, every audit record is also exported as an OpenTelemetry log record.</summary>
public sealed class AuditTelemetryTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>An OTLP/HTTP receiver: keeps the protobuf body of every export, by signal path.</summary>
    private sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        public ConcurrentQueue<(string Path, byte[] Body)> Exports { get; } = new();

        public Uri Endpoint { get; }

        private OtlpReceiver(WebApplication app, Uri endpoint)
        {
            _app = app;
            Endpoint = endpoint;
        }

        public static async Task<OtlpReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            OtlpReceiver? receiver = null;
            app.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                receiver!.Exports.Enqueue((signal, body.ToArray()));
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync(Cancel);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            receiver = new OtlpReceiver(app, new Uri(address));
            return receiver;
        }

        public ValueTask DisposeAsync() => _app.DisposeAsync();
    }

    [Fact]
    public async Task Each_audit_record_is_an_OTLP_log_record_with_the_CloudTrail_event_and_never_the_plaintext()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        const string secret = "otlp-plaintext-5d0a";
        string keyId;
        string requestId;
        var options = new KmsServerOptions
        {
            Port = 0,
            Storage = KmsStorageMode.Memory,
            SiloPort = TestPorts.Free(),
            SiloGatewayPort = TestPorts.Free(),
            DataDirectory = Path.Combine(Path.GetTempPath(), "kms-test-" + Guid.NewGuid().ToString("N")),
            LogLevel = LogLevel.Warning,
            OtlpEndpoint = receiver.Endpoint,
            OtlpProtocol = "http/protobuf",
        };
        await using (var server = await KmsServer.StartAsync(options, Cancel))
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            keyId = (await kms.CreateKeyAsync(new CreateKeyRequest(), Cancel)).KeyMetadata.KeyId;
            var encrypted = await kms.EncryptAsync(new EncryptRequest
            {
                KeyId = keyId,
                Plaintext = new MemoryStream(Encoding.UTF8.GetBytes(secret)),
                EncryptionContext = new Dictionary<string, string> { ["otlp"] = "yes" },
            }, Cancel);
            requestId = encrypted.ResponseMetadata.RequestId;
        }

        // The clean stop wrote the buffered records and flushed the exporter: the receiver has them.
        var logs = string.Join('\n', receiver.Exports.Where(e => e.Path == "logs").Select(e => Encoding.UTF8.GetString(e.Body)));
        Assert.Contains(requestId, logs, StringComparison.Ordinal);
        Assert.Contains("OrleansKms.Audit", logs, StringComparison.Ordinal);
        Assert.Contains("\"eventName\":\"Encrypt\"", logs, StringComparison.Ordinal);
        Assert.Contains("\"eventName\":\"CreateKey\"", logs, StringComparison.Ordinal);
        Assert.Contains("\"encryptionContext\":{\"otlp\":\"yes\"}", logs, StringComparison.Ordinal);
        Assert.Contains(keyId, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)), logs, StringComparison.Ordinal);
    }
}
