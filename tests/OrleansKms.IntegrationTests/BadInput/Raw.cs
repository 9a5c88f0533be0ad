using System.Net;
using System.Text.Json;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.BadInput;

/// <summary>
/// Raw HTTP to the gateway for inputs the SDK would never send. One shared HttpClient with a 10 s timeout: a hung
/// request fails the test instead of stalling the run.
/// </summary>
internal static class Raw
{
    public static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static async Task<RawReply> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            return new RawReply(response.StatusCode, body);
        }
    }

    /// <summary>A request signed with the development credentials.</summary>
    public static Task<RawReply> CallAsync(Uri endpoint, string? target, string body) =>
        SendAsync(RawKms.Request(endpoint, target, body));

    public static Task<RawReply> CallAsync(Uri endpoint, string operation, object body) =>
        CallAsync(endpoint, "TrentService." + operation, JsonSerializer.Serialize(body));

    /// <summary>Creates a key and returns its id.</summary>
    public static async Task<string> NewKeyAsync(Uri endpoint)
    {
        var reply = (await CallAsync(endpoint, "TrentService.CreateKey", "{}")).AssertOk();
        return reply.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
    }

    public static async Task<byte[]> EncryptAsync(Uri endpoint, string keyId, byte[] plaintext)
    {
        var reply = (await CallAsync(endpoint, "Encrypt", new { KeyId = keyId, Plaintext = Convert.ToBase64String(plaintext) })).AssertOk();
        return reply.GetProperty("CiphertextBlob").GetBytesFromBase64();
    }

    public static async Task<RawReply> DecryptAsync(Uri endpoint, byte[] ciphertext, string? keyId = null) =>
        await CallAsync(endpoint, "Decrypt", keyId is null
            ? new { CiphertextBlob = Convert.ToBase64String(ciphertext) }
            : (object)new { CiphertextBlob = Convert.ToBase64String(ciphertext), KeyId = keyId });
}

/// <summary>An HTTP answer of the gateway: its status and, for errors, AWS's <c>__type</c> and <c>message</c>.</summary>
internal sealed record RawReply(HttpStatusCode Status, string Body)
{
    public JsonElement? Json
    {
        get
        {
            try
            {
                return JsonDocument.Parse(Body).RootElement;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    public string? Type => Json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("__type", out var t) ? t.GetString() : null;

    public string? Message => Json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("message", out var m) ? m.GetString() : null;

    /// <summary>Asserts an AWS error: the status (400 unless told), the <c>__type</c>, and the message when given.</summary>
    public RawReply AssertError(string type, string? message = null, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        if (Status != status || Type != type || (message is not null && Message != message))
            Assert.Fail($"Expected {(int)status} {type} \"{message}\"; got {(int)Status} {Body}");
        return this;
    }

    /// <summary>Asserts a 200 and returns the body.</summary>
    public JsonElement AssertOk()
    {
        if (Status != HttpStatusCode.OK) Assert.Fail($"Expected 200; got {(int)Status} {Body}");
        return Json ?? throw new Xunit.Sdk.XunitException($"200 without a JSON body: {Body}");
    }
}
