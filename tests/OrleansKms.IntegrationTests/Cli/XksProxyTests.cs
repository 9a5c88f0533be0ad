using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>
/// The reference XKS proxy as AWS KMS talks to it (External Key Store Proxy API v1): SigV4-signed JSON POSTs for
/// health, metadata, encrypt and decrypt, and the spec's errorName and HTTP status for each failure. Backed by a real
/// SoftHSM2 token; skipped, with the install command, when SoftHSM2 is absent.
/// </summary>
public sealed class XksProxyTests(XksProxyFixture fixture) : IClassFixture<XksProxyFixture>
{
    private const string Metadata = """
        "requestMetadata": {"awsPrincipalArn": "arn:aws:iam::123456789012:user/Alice", "kmsKeyArn": "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "kmsOperation": "Encrypt", "kmsRequestId": "4112f4d6-db54-4af4-ae30-c55a22a8dfae"}
        """;

    private static readonly string Aad = Convert.ToBase64String("project=nile,department=marketing"u8);

    private Uri Api(string path) => new($"{fixture.Require().BaseUri}/{path}");

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string body, Func<Uri, string, HttpRequestMessage>? sign = null)
    {
        var uri = Api(path);
        using var request = sign?.Invoke(uri, body) ?? XksSigner.Post(uri, body);
        using var response = await fixture.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static void AssertError(HttpStatusCode status, string errorName, (HttpStatusCode Status, JsonElement Body) response)
    {
        Assert.Equal((status, errorName), (response.Status, response.Body.GetProperty("errorName").GetString()));
        Assert.All(response.Body.GetProperty("errorMessage").GetString()!, c => Assert.InRange(c, ' ', '~'));
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> EncryptAsync(string plaintextBase64, string extra = "") =>
        PostAsync($"keys/{XksProxyFixture.KeyId}/encrypt",
            $$"""{ {{Metadata}}, "plaintext": "{{plaintextBase64}}", "encryptionAlgorithm": "AES_GCM", "additionalAuthenticatedData": "{{Aad}}"{{extra}} }""");

    private Task<(HttpStatusCode Status, JsonElement Body)> DecryptAsync(JsonElement sealedData, string aad = "", string? tag = null) =>
        PostAsync($"keys/{XksProxyFixture.KeyId}/decrypt", $$"""
            { {{Metadata}}, "encryptionAlgorithm": "AES_GCM", "additionalAuthenticatedData": "{{(aad.Length > 0 ? aad : Aad)}}",
              "ciphertext": "{{sealedData.GetProperty("ciphertext").GetString()}}",
              "initializationVector": "{{sealedData.GetProperty("initializationVector").GetString()}}",
              "authenticationTag": "{{tag ?? sealedData.GetProperty("authenticationTag").GetString()}}" }
            """);

    [Fact]
    public async Task Health_reports_one_proxy_and_the_token_active()
    {
        var (status, body) = await PostAsync("health", """{"requestMetadata": {"kmsRequestId": "1124f4d6", "kmsOperation": "KmsHealthCheck"}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("xksProxyFleetSize").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("xksProxyVendor").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("ekmVendor").GetString()));
        var ekm = Assert.Single(body.GetProperty("ekmFleetDetails").EnumerateArray());
        Assert.Equal((fixture.Server.Token.SerialNumber, "ACTIVE"), (ekm.GetProperty("id").GetString(), ekm.GetProperty("healthStatus").GetString()));
    }

    [Fact]
    public async Task Metadata_of_a_token_key_is_an_enabled_aes_256_key_for_encrypt_and_decrypt()
    {
        var (status, body) = await PostAsync($"keys/{XksProxyFixture.KeyId}/metadata", $$"""{ {{Metadata}} }""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("AES_256", body.GetProperty("keySpec").GetString());
        Assert.Equal(["ENCRYPT", "DECRYPT"], body.GetProperty("keyUsage").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal("ENABLED", body.GetProperty("keyStatus").GetString());
    }

    [Fact]
    public async Task Encrypt_then_decrypt_with_aad_returns_the_plaintext_and_the_key_never_leaves_the_token()
    {
        var plaintext = RandomNumberGenerator.GetBytes(4300);

        var (status, sealedData) = await EncryptAsync(Convert.ToBase64String(plaintext));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(plaintext.Length, sealedData.GetProperty("ciphertext").GetBytesFromBase64().Length);
        Assert.Equal(12, sealedData.GetProperty("initializationVector").GetBytesFromBase64().Length);
        Assert.Equal(16, sealedData.GetProperty("authenticationTag").GetBytesFromBase64().Length);
        var (decrypted, body) = await DecryptAsync(sealedData);
        Assert.Equal(HttpStatusCode.OK, decrypted);
        Assert.Equal(plaintext, body.GetProperty("plaintext").GetBytesFromBase64());
        var key = Assert.Single(fixture.Server.Token.Keys(), k => k.Label == XksProxyFixture.KeyId);
        Assert.Equal((false, true, true), (key.Extractable, key.Sensitive, key.NeverExtractable));
    }

    [Fact]
    public async Task Encrypt_with_a_cdiv_algorithm_returns_the_sha256_of_aad_iv_ciphertext_and_tag()
    {
        var (status, body) = await EncryptAsync("SGVsbG8gV29ybGQh", """, "ciphertextDataIntegrityValueAlgorithm": "SHA_256" """);

        Assert.Equal(HttpStatusCode.OK, status);
        byte[] covered = [.. Convert.FromBase64String(Aad), .. body.GetProperty("initializationVector").GetBytesFromBase64(),
            .. body.GetProperty("ciphertext").GetBytesFromBase64(), .. body.GetProperty("authenticationTag").GetBytesFromBase64()];
        Assert.Equal(SHA256.HashData(covered), body.GetProperty("ciphertextDataIntegrityValue").GetBytesFromBase64());
    }

    [Fact]
    public async Task A_wrong_aad_or_an_altered_tag_is_an_InvalidCiphertextException()
    {
        var (_, sealedData) = await EncryptAsync("SGVsbG8gV29ybGQh");
        var tag = sealedData.GetProperty("authenticationTag").GetBytesFromBase64();
        tag[0] ^= 1;

        AssertError(HttpStatusCode.BadRequest, "InvalidCiphertextException", await DecryptAsync(sealedData, aad: Convert.ToBase64String("project=nile"u8)));
        AssertError(HttpStatusCode.BadRequest, "InvalidCiphertextException", await DecryptAsync(sealedData, tag: Convert.ToBase64String(tag)));
    }

    [Theory]
    [InlineData("metadata")]
    [InlineData("encrypt")]
    [InlineData("decrypt")]
    public async Task An_unknown_external_key_is_a_KeyNotFoundException(string operation)
    {
        var body = $$"""{ {{Metadata}}, "plaintext": "AAAA", "encryptionAlgorithm": "AES_GCM", "ciphertext": "AAAA", "initializationVector": "AAAAAAAAAAAAAAAA", "authenticationTag": "AAAAAAAAAAAAAAAAAAAAAA==" }""";

        AssertError(HttpStatusCode.NotFound, "KeyNotFoundException", await PostAsync($"keys/no-such-key/{operation}", body));
    }

    public static TheoryData<string, Func<Uri, string, HttpRequestMessage>> BadSignatures => new()
    {
        { "wrong secret", (uri, body) => XksSigner.Post(uri, body, XksProxyFixture.Credential with { SecretAccessKey = XksProxyFixture.NextCredential.SecretAccessKey }) },
        { "unknown access key id", (uri, body) => XksSigner.Post(uri, body, XksProxyFixture.Credential with { AccessKeyId = "AAAAAAAAAAAAAAAAAAAA" }) },
        { "service kms", (uri, body) => XksSigner.Post(uri, body, service: "kms") },
        { "six minutes old", (uri, body) => XksSigner.Post(uri, body, at: DateTimeOffset.UtcNow.AddMinutes(-6)) },
        { "body changed after signing", (uri, body) => Tampered(XksSigner.Post(uri, body), body.Replace("Alice", "Mallory")) },
        { "not signed", (uri, body) => new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body) } },
    };

    private static HttpRequestMessage Tampered(HttpRequestMessage signed, string body)
    {
        signed.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return signed;
    }

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task A_request_without_a_valid_signature_is_an_AuthenticationFailedException(string why, Func<Uri, string, HttpRequestMessage> sign)
    {
        var (status, body) = await PostAsync($"keys/{XksProxyFixture.KeyId}/metadata", $$"""{ {{Metadata}} }""", sign);

        Assert.True(status == HttpStatusCode.Unauthorized, why);
        AssertError(HttpStatusCode.Unauthorized, "AuthenticationFailedException", (status, body));
    }

    [Fact]
    public async Task The_second_credential_of_a_rotation_is_accepted_too()
    {
        var (status, _) = await PostAsync($"keys/{XksProxyFixture.KeyId}/metadata", $$"""{ {{Metadata}} }""",
            (uri, body) => XksSigner.Post(uri, body, XksProxyFixture.NextCredential, region: "eu-west-1"));

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Theory]
    [InlineData("encrypt", "this is not json")]
    [InlineData("encrypt", "[1, 2]")]
    [InlineData("encrypt", """{"plaintext": "SGVsbG8=", "encryptionAlgorithm": "AES_GCM"}""")]
    [InlineData("encrypt", """{ METADATA, "encryptionAlgorithm": "AES_GCM"}""")]
    [InlineData("encrypt", """{ METADATA, "plaintext": "not base64!", "encryptionAlgorithm": "AES_GCM"}""")]
    [InlineData("encrypt", """{ METADATA, "plaintext": "SGVsbG8=", "encryptionAlgorithm": "AES_CBC"}""")]
    [InlineData("encrypt", """{ METADATA, "plaintext": "SGVsbG8=", "encryptionAlgorithm": "AES_GCM", "ciphertextDataIntegrityValueAlgorithm": "MD5"}""")]
    [InlineData("decrypt", """{ METADATA, "encryptionAlgorithm": "AES_GCM", "ciphertext": "AAAA", "initializationVector": "AAAA", "authenticationTag": "AAAAAAAAAAAAAAAAAAAAAA=="}""")]
    [InlineData("decrypt", """{ METADATA, "encryptionAlgorithm": "AES_GCM", "ciphertext": "AAAA", "initializationVector": "AAAAAAAAAAAAAAAA", "authenticationTag": "AAAA"}""")]
    [InlineData("metadata", "{}")]
    public async Task A_malformed_body_is_a_ValidationException(string operation, string body)
    {
        AssertError(HttpStatusCode.BadRequest, "ValidationException",
            await PostAsync($"keys/{XksProxyFixture.KeyId}/{operation}", body.Replace("METADATA", Metadata)));
    }

    [Fact]
    public async Task Get_is_405_and_a_path_outside_the_api_is_an_InvalidUriPathException()
    {
        using var get = await fixture.Http.GetAsync(Api("health"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);

        AssertError(HttpStatusCode.NotFound, "InvalidUriPathException", await PostAsync("keys/k/sign", $$"""{ {{Metadata}} }"""));
        var otherPrefix = new Uri(fixture.Server.Endpoint, "/other/kms/xks/v1/health");
        using var response = await fixture.Http.SendAsync(XksSigner.Post(otherPrefix, "{}"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_log_has_each_request_id_and_outcome_but_never_a_plaintext()
    {
        var plaintext = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var (_, sealedData) = await EncryptAsync(plaintext);
        await DecryptAsync(sealedData);

        var log = fixture.Log.Lines.ToList();
        Assert.Contains(log, l => l.Contains("kmsRequestId=4112f4d6-db54-4af4-ae30-c55a22a8dfae") && l.Contains("encrypt") && l.Contains("200"));
        Assert.DoesNotContain(log, l => l.Contains(plaintext) || l.Contains(SoftHsmTestTokens.UserPin) || l.Contains(XksProxyFixture.Credential.SecretAccessKey));
    }
}
