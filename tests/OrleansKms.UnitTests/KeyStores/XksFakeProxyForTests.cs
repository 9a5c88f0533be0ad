using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OrleansKms.KeyStores.Xks;

namespace OrleansKms.UnitTests.KeyStores;

/// <summary>
/// An in-process XKS proxy for the client tests, written from the specification independently of the client: it
/// checks the SigV4 signature of every request (algorithm, access key id, date, Region, service <c>kms-xks-proxy</c>,
/// signed headers <c>host;x-amz-date</c>, a clock skew of at most five minutes, the signature itself) and answers 401
/// <c>AuthenticationFailedException</c> otherwise; it implements the four APIs with AES-256-GCM keys of its own. Tests
/// make it misbehave with <see cref="Intercept"/> (a canned answer), <see cref="Tamper"/> (an altered success answer)
/// and <see cref="Hang"/> (no answer until cancelled).
/// </summary>
internal sealed class XksFakeProxy(TimeProvider time) : HttpMessageHandler
{
    public const string AccessKeyId = "AKIA4GBY3I6JCE5M2HPMXKSA";
    public const string Secret = "FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE";
    public const string Region = "us-east-2";
    public const string UriPath = "/tenant-7/kms/xks/v1";
    public const string KeyId = "ext-key-1";

    public Dictionary<string, byte[]> Keys { get; } = new() { [KeyId] = RandomNumberGenerator.GetBytes(32) };
    public byte[]? CiphertextMetadata { get; set; }
    public int IvLength { get; set; } = 12;
    public Func<string, HttpResponseMessage?>? Intercept { get; set; }
    public Action<string, JsonObject>? Tamper { get; set; }
    public bool Hang { get; set; }
    public TaskCompletionSource RequestArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public List<(string Operation, JsonObject Body)> Received { get; } = [];

    /// <summary>The test clock's start: every signature and timeout is on this clock.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 34, 56, TimeSpan.Zero);

    /// <summary>Request metadata as <paramref name="kmsOperation"/> sends it (only operation and request id for the key-store operations).</summary>
    public static XksRequestMetadata Metadata(string kmsOperation) => kmsOperation is "CreateCustomKeyStore" or "UpdateCustomKeyStore"
        or "ConnectCustomKeyStore" or XksRequestMetadata.PeriodicHealthCheck
        ? XksRequestMetadata.ForHealthCheck(kmsOperation, "4112f4d6-db54-4af4-ae30-c55a22a8dfae")
        : new(kmsOperation, "4112f4d6-db54-4af4-ae30-c55a22a8dfae", "arn:aws:iam::111122223333:user/alice",
            kmsOperation == "CreateKey" ? null : "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");

    /// <summary>A connection to this proxy, as the client is given it.</summary>
    public static XksProxyConnection Connection(string secret = Secret) =>
        new(new Uri("https://xks.example.com"), UriPath, AccessKeyId, secret, Region);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel)
    {
        var body = await request.Content!.ReadAsByteArrayAsync(cancel);
        RequestArrived.TrySetResult();
        if (Hang) await Task.Delay(Timeout.Infinite, cancel);
        if (request.Method != HttpMethod.Post) return Answer(HttpStatusCode.MethodNotAllowed, Error("ValidationException"));
        if (!SignatureIsValid(request, body)) return Answer(HttpStatusCode.Unauthorized, Error("AuthenticationFailedException"));
        var path = request.RequestUri!.AbsolutePath;
        if (!path.StartsWith(UriPath + "/", StringComparison.Ordinal)) return Answer(HttpStatusCode.NotFound, Error("InvalidUriPathException"));
        var operation = path[(UriPath.Length + 1)..];
        var json = (JsonObject)JsonNode.Parse(body)!;
        Received.Add((operation, json));
        if (Intercept?.Invoke(operation) is { } canned) return canned;
        return Handle(operation, json);
    }

    private HttpResponseMessage Handle(string operation, JsonObject request)
    {
        if (operation == "health") return Success(operation, Health());
        var parts = operation.Split('/');
        if (parts is not ["keys", var keyId, var action]) return Answer(HttpStatusCode.NotFound, Error("InvalidUriPathException"));
        if (!Keys.TryGetValue(keyId, out var key)) return Answer(HttpStatusCode.NotFound, Error("KeyNotFoundException"));
        return action switch
        {
            "metadata" => Success(operation, new JsonObject { ["keySpec"] = "AES_256", ["keyUsage"] = new JsonArray("ENCRYPT", "DECRYPT"), ["keyStatus"] = "ENABLED" }),
            "encrypt" => Success(operation, Encrypt(key, request)),
            "decrypt" => Decrypt(key, request) is { } plaintext
                ? Success(operation, new JsonObject { ["plaintext"] = Convert.ToBase64String(plaintext) })
                : Answer(HttpStatusCode.BadRequest, Error("InvalidCiphertextException")),
            _ => Answer(HttpStatusCode.NotFound, Error("InvalidUriPathException")),
        };
    }

    private static JsonObject Health() => new()
    {
        ["xksProxyFleetSize"] = 2,
        ["xksProxyVendor"] = "OrleansKms tests",
        ["xksProxyModel"] = "Fake proxy 1.0",
        ["ekmVendor"] = "In-process",
        ["ekmFleetDetails"] = new JsonArray(
            new JsonObject { ["id"] = "hsm-1", ["model"] = "AES-GCM 1.0", ["healthStatus"] = "ACTIVE" },
            new JsonObject { ["id"] = "hsm-2", ["model"] = "AES-GCM 1.0", ["healthStatus"] = "DEGRADED" }),
    };

    private JsonObject Encrypt(byte[] key, JsonObject request)
    {
        var plaintext = Base64(request, "plaintext")!;
        var aad = Base64(request, "additionalAuthenticatedData") ?? [];
        var iv = RandomNumberGenerator.GetBytes(IvLength);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        using (var gcm = new AesGcm(key, 16)) gcm.Encrypt(GcmNonce(iv), plaintext, ciphertext, tag, EkmAad(aad, CiphertextMetadata));
        var answer = new JsonObject
        {
            ["ciphertext"] = Convert.ToBase64String(ciphertext),
            ["initializationVector"] = Convert.ToBase64String(iv),
            ["authenticationTag"] = Convert.ToBase64String(tag),
        };
        if (CiphertextMetadata is not null) answer["ciphertextMetadata"] = Convert.ToBase64String(CiphertextMetadata);
        if ((string?)request["ciphertextDataIntegrityValueAlgorithm"] == "SHA_256")
            answer["ciphertextDataIntegrityValue"] = Convert.ToBase64String(SHA256.HashData([.. aad, .. CiphertextMetadata ?? [], .. iv, .. ciphertext, .. tag]));
        return answer;
    }

    private static byte[]? Decrypt(byte[] key, JsonObject request)
    {
        var ciphertext = Base64(request, "ciphertext")!;
        var iv = Base64(request, "initializationVector")!;
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var gcm = new AesGcm(key, 16);
            gcm.Decrypt(GcmNonce(iv), ciphertext, Base64(request, "authenticationTag")!, plaintext,
                EkmAad(Base64(request, "additionalAuthenticatedData") ?? [], Base64(request, "ciphertextMetadata")));
            return plaintext;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>.NET's AesGcm takes 12-byte nonces only; a 16-byte IV is folded to 12 (good enough for a test proxy).</summary>
    private static byte[] GcmNonce(byte[] iv) => iv.Length == 12 ? iv : SHA256.HashData(iv)[..12];

    /// <summary>The specification's AAD for the key manager: 2-byte aad length || aad || 1-byte metadata length || metadata.</summary>
    private static byte[] EkmAad(byte[] aad, byte[]? metadata) =>
        [(byte)(aad.Length >> 8), (byte)aad.Length, .. aad, (byte)(metadata?.Length ?? 0), .. metadata ?? []];

    private bool SignatureIsValid(HttpRequestMessage request, byte[] body)
    {
        if (!request.Headers.TryGetValues("Authorization", out var values)) return false;
        var header = values.Single();
        const string prefix = "AWS4-HMAC-SHA256 ";
        if (!header.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var fields = header[prefix.Length..].Split(", ").Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var scope = fields["Credential"].Split('/');
        var amzDate = request.Headers.GetValues("X-Amz-Date").Single();
        var signedAt = DateTimeOffset.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        if (scope is not [AccessKeyId, var date, Region, "kms-xks-proxy", "aws4_request"] || date != amzDate[..8]
            || fields["SignedHeaders"] != "host;x-amz-date" || (time.GetUtcNow() - signedAt).Duration() > TimeSpan.FromMinutes(5))
            return false;
        var host = request.Headers.Host ?? request.RequestUri!.Authority;
        var canonical = $"POST\n{request.RequestUri!.AbsolutePath}\n\nhost:{host}\nx-amz-date:{amzDate}\n\nhost;x-amz-date\n{Hex(SHA256.HashData(body))}";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{date}/{Region}/kms-xks-proxy/aws4_request\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + Secret);
        foreach (var part in new[] { date, Region, "kms-xks-proxy", "aws4_request" }) key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        return fields["Signature"] == Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
    }

    private HttpResponseMessage Success(string operation, JsonObject answer)
    {
        Tamper?.Invoke(operation, answer);
        return Answer(HttpStatusCode.OK, answer.ToJsonString());
    }

    public static HttpResponseMessage Answer(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    public static string Error(string name) => $$"""{"errorName":"{{name}}","errorMessage":"from the fake proxy"}""";

    private static byte[]? Base64(JsonObject o, string name) => o[name] is { } v ? Convert.FromBase64String((string)v!) : null;

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}

/// <summary>A handler that answers with a function: for capturing exactly what the client sends, or failing as a transport.</summary>
internal sealed class XksLambdaHandler(Func<HttpRequestMessage, Task<HttpResponseMessage>> send) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel) => send(request);
}
