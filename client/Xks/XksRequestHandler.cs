using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using OrleansKms.KeyStores;

namespace OrleansKms.Cli.Xks;

/// <summary>
/// Serves one XKS proxy request: POST <c>{prefix}/kms/xks/v1/health</c> and
/// <c>{prefix}/kms/xks/v1/keys/{externalKeyId}/(metadata|encrypt|decrypt)</c>. In order: 405 for another method on
/// an API path; 501 UnsupportedOperationException for a body over the size supported; 401
/// AuthenticationFailedException unless SigV4-signed by a known credential; 404 InvalidUriPathException for any other
/// path; then the operation. <c>GET /ping</c> answers 200 unauthenticated, for load balancers. Every request is logged
/// with its requestMetadata and outcome, never a plaintext.
/// </summary>
internal sealed class XksRequestHandler(XksOperations operations, XksSigV4Verifier verifier, string uriPath, ILogger logger)
{
    /// <summary>Far above the spec's minimums (4300 bytes of plaintext, 8192 of AAD, Base64 and JSON around them).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var path = request.PathBase.Add(request.Path).Value ?? "";
        if (request.Method == HttpMethods.Get && path == "/ping")
        {
            await context.Response.WriteAsync("pong", context.RequestAborted); // for load balancers: no auth, no token
            return;
        }

        var (operation, keyId) = Route(path);
        if (operation is not null && request.Method != HttpMethods.Post)
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
            return;
        }

        var body = await ReadBodyAsync(request, context.RequestAborted);
        var output = new ArrayBufferWriter<byte>(1024);
        try
        {
            var (status, outcome, metadata) = Serve(request, path, operation, keyId, body, output);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
            logger.LogInformation("XKS {Operation} key={KeyId} kmsRequestId={KmsRequestId} kmsOperation={KmsOperation} principal={Principal} -> {Status} {Outcome} in {Elapsed:0.0} ms",
                operation ?? path, keyId, metadata?.KmsRequestId, metadata?.KmsOperation, metadata?.AwsPrincipalArn, status, outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(body ?? []);
            output.Clear(); // zeroes what was written: a decrypted plaintext, Base64-encoded
        }
    }

    private (int Status, string Outcome, XksRequestMetadata? Metadata) Serve(
        HttpRequest request, string path, string? operation, string? keyId, byte[]? body, ArrayBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output);
        XksRequestMetadata? metadata = null;
        try
        {
            if (body is null) throw XksException.UnsupportedOperation($"The request body is larger than the {MaxBodyBytes} bytes this proxy supports.");
            if (verifier.Verify(request, body) is { } unauthenticated) throw XksException.AuthenticationFailed(unauthenticated);
            if (operation is null) throw XksException.InvalidUriPath(path);
            if (keyId is not null && !XksProxyOptions.ExternalKeyIdPattern().IsMatch(keyId))
                throw XksException.Validation("The external key id must be 1 to 128 characters a-z, A-Z, 0-9, '-', '.' and '_'.");
            using var document = Parse(operation, body);
            metadata = XksJson.TryMetadata(document.RootElement);
            operations.Table[operation](new XksCall(keyId, document.RootElement), writer);
            writer.Flush();
            return (200, "OK", metadata);
        }
        catch (Exception e) when (Error(e, keyId) is { } error)
        {
            if (error.Status == 500) logger.LogError(e, "XKS {Operation} key={KeyId} failed in the key manager", operation, keyId);
            writer.Reset();
            output.Clear();
            XksJson.WriteError(writer, error);
            writer.Flush();
            return (error.Status, error.ErrorName, metadata);
        }
    }

    /// <summary>Health takes any body (ValidationException is not among its errors); the others need a JSON object.</summary>
    private static JsonDocument Parse(string operation, byte[] body)
    {
        if (operation != "health") return XksJson.Parse(body);
        try
        {
            return XksJson.Parse(body);
        }
        catch (XksException)
        {
            return JsonDocument.Parse("{}");
        }
    }

    /// <summary>The one place the token's exceptions become the spec's errors.</summary>
    private static XksException? Error(Exception e, string? keyId) => e switch
    {
        XksException xks => xks,
        KeyNotFoundException => XksException.KeyNotFound(keyId ?? ""),
        CryptographicException => XksException.InvalidCiphertext(
            "The ciphertext, initialization vector, additional authenticated data, ciphertext metadata or authentication tag is corrupted, missing or otherwise invalid."),
        NotSupportedException => XksException.InvalidKeyUsage($"The external key '{keyId}' does not support AES-GCM encryption and decryption."),
        InvalidOperationException or ObjectDisposedException => XksException.Internal("The external key manager failed; see the proxy's log."),
        _ => null,
    };

    /// <summary>The operation (the dispatch table's key) and external key id of an API path; (null, null) for any other path.</summary>
    private (string? Operation, string? KeyId) Route(string path)
    {
        if (!path.StartsWith(uriPath + "/", StringComparison.Ordinal)) return (null, null);
        var rest = path[(uriPath.Length + 1)..].Split('/');
        return rest switch
        {
            ["health"] => ("health", null),
            ["keys", var id, "metadata" or "encrypt" or "decrypt"] when id.Length > 0 => (rest[2], id),
            _ => (null, null),
        };
    }

    /// <summary>The body, or null when it is larger than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancel)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancel)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes) return null;
                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        finally
        {
            // An Encrypt body holds a plaintext: leave no copy behind but the one the caller zeroes.
            CryptographicOperations.ZeroMemory(chunk);
            CryptographicOperations.ZeroMemory(buffer.GetBuffer());
            await buffer.DisposeAsync();
        }
    }
}
