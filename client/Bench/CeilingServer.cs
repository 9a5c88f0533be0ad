using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansKms.Cli.Bench;

/// <summary>
/// The ceiling: the least work an HTTP service can do to answer the SDK's Encrypt. A bare Kestrel endpoint on a free
/// loopback port parses the JSON 1.1 body (System.Text.Json, source-generated), seals the plaintext with AES-256-GCM
/// under a fixed in-memory key and a random 12-byte nonce, and answers like KMS. No Orleans, no SigV4 verification,
/// no key lookup, no validation beyond the essentials: what KMS pays above this is the cost of being a KMS.
/// </summary>
/// <remarks>CiphertextBlob layout: nonce (12 bytes) || ciphertext (same length as the plaintext) || tag (16 bytes).</remarks>
internal sealed class CeilingServer : IAsyncDisposable
{
    public const string KeyId = "00000000-0000-4000-8000-00000000ce11";
    private const string Target = "TrentService.Encrypt";
    private const string JsonContentType = "application/x-amz-json-1.1";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ThreadLocal<AesGcm> _aes;
    private readonly string _arnPrefix;
    private WebApplication? _app;

    private CeilingServer(string region)
    {
        _aes = new ThreadLocal<AesGcm>(() => new AesGcm(_key, TagBytes), trackAllValues: true);
        _arnPrefix = $"arn:aws:kms:{region}:000000000000:key/";
    }

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Starts the ceiling on 127.0.0.1 with a port the OS picks.</summary>
    public static async Task<CeilingServer> StartAsync(string region, CancellationToken cancel)
    {
        var server = new CeilingServer(region);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        app.Run(server.HandleAsync);
        await app.StartAsync(cancel);
        server._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Endpoint = new Uri(address);
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Method != HttpMethods.Post || request.Path != "/" || request.Headers["X-Amz-Target"] != Target)
        {
            await WriteAsync(context, 400, new CeilingError("UnknownOperationException", "The ceiling serves only TrentService.Encrypt."),
                CeilingJsonContext.Default.CeilingError);
            return;
        }

        var body = await JsonSerializer.DeserializeAsync(request.Body, CeilingJsonContext.Default.CeilingEncryptRequest, context.RequestAborted);
        if (body is not { KeyId.Length: > 0, Plaintext.Length: > 0 and <= 4096 })
        {
            await WriteAsync(context, 400, new CeilingError("ValidationException", "KeyId and 1 to 4096 bytes of Plaintext are required."),
                CeilingJsonContext.Default.CeilingError);
            return;
        }

        var keyArn = body.KeyId.StartsWith("arn:", StringComparison.Ordinal) ? body.KeyId : _arnPrefix + body.KeyId;
        await WriteAsync(context, 200, new CeilingEncryptResponse(Seal(body.Plaintext), keyArn, "SYMMETRIC_DEFAULT"),
            CeilingJsonContext.Default.CeilingEncryptResponse);
    }

    private byte[] Seal(byte[] plaintext)
    {
        var blob = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = blob.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        _aes.Value!.Encrypt(nonce, plaintext, blob.AsSpan(NonceBytes, plaintext.Length), blob.AsSpan(NonceBytes + plaintext.Length));
        return blob;
    }

    private static async Task WriteAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        response.ContentLength = json.Length;
        await response.Body.WriteAsync(json, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        foreach (var aes in _aes.Values) aes.Dispose();
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_key);
    }
}

internal sealed record CeilingEncryptRequest(string? KeyId, byte[]? Plaintext);

internal sealed record CeilingEncryptResponse(byte[] CiphertextBlob, string KeyId, string EncryptionAlgorithm);

internal sealed record CeilingError([property: JsonPropertyName("__type")] string Type, [property: JsonPropertyName("message")] string Message);

[JsonSerializable(typeof(CeilingEncryptRequest))]
[JsonSerializable(typeof(CeilingEncryptResponse))]
[JsonSerializable(typeof(CeilingError))]
internal sealed partial class CeilingJsonContext : JsonSerializerContext;
