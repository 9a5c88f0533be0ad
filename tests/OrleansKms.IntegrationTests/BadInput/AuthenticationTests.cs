using System.Net.Http.Headers;
using System.Text;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.BadInput;

/// <summary>
/// SigV4 as the gateway enforces it on raw requests: missing, stale, altered and malformed signatures each get
/// AWS's error, and a refused request changes nothing.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class AuthenticationTests(KmsServerFixture fixture)
{
    private const string SignatureMismatch =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private const string RandomBody = "{\"NumberOfBytes\":8}";

    private Uri Endpoint => fixture.Server.Endpoint;

    private HttpRequestMessage Signed(string body = RandomBody, DateTimeOffset? at = null, string accessKey = "test", string secretKey = "test") =>
        RawKms.Request(Endpoint, "TrentService.GenerateRandom", body, at, accessKey, secretKey);

    private static string AmzDate(DateTimeOffset at) => at.ToString("yyyyMMdd'T'HHmmss'Z'");

    [Fact]
    public async Task A_request_without_an_Authorization_header_is_MissingAuthenticationTokenException()
    {
        (await Raw.SendAsync(RawKms.Request(Endpoint, "TrentService.GenerateRandom", RandomBody, sign: false)))
            .AssertError("MissingAuthenticationTokenException", "Missing Authentication Token");
    }

    [Fact]
    public async Task A_signature_dated_20_minutes_ago_is_InvalidSignatureException_Signature_expired()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-20);

        var reply = (await Raw.SendAsync(Signed(at: at))).AssertError("InvalidSignatureException");

        Assert.StartsWith($"Signature expired: {AmzDate(at)} is now earlier than ", reply.Message);
        Assert.EndsWith(" - 15 min.)", reply.Message);
    }

    [Fact]
    public async Task A_signature_dated_20_minutes_ahead_is_InvalidSignatureException_Signature_not_yet_current()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(20);

        var reply = (await Raw.SendAsync(Signed(at: at))).AssertError("InvalidSignatureException");

        Assert.StartsWith($"Signature not yet current: {AmzDate(at)} is still later than ", reply.Message);
        Assert.EndsWith(" + 15 min.)", reply.Message);
    }

    [Theory]
    [InlineData(-10)]
    [InlineData(10)]
    public async Task A_signature_dated_within_15_minutes_is_accepted(int minutes)
    {
        var reply = (await Raw.SendAsync(Signed(at: DateTimeOffset.UtcNow.AddMinutes(minutes)))).AssertOk();

        Assert.Equal(8, reply.GetProperty("Plaintext").GetBytesFromBase64().Length);
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_InvalidSignatureException()
    {
        var request = Signed();
        request.Content = new StringContent("{\"NumberOfBytes\":9}", Encoding.UTF8);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");

        (await Raw.SendAsync(request)).AssertError("InvalidSignatureException", SignatureMismatch);
    }

    [Fact]
    public async Task A_target_changed_after_signing_is_InvalidSignatureException()
    {
        var request = Signed();
        request.Headers.Remove("X-Amz-Target");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "TrentService.ListKeys");

        (await Raw.SendAsync(request)).AssertError("InvalidSignatureException", SignatureMismatch);
    }

    [Fact]
    public async Task A_signature_made_with_the_wrong_secret_is_InvalidSignatureException()
    {
        (await Raw.SendAsync(Signed(secretKey: "not-the-secret"))).AssertError("InvalidSignatureException", SignatureMismatch);
    }

    [Fact]
    public async Task An_unknown_access_key_is_UnrecognizedClientException()
    {
        (await Raw.SendAsync(Signed(accessKey: "AKIDNOBODY")))
            .AssertError("UnrecognizedClientException", "The security token included in the request is invalid.");
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date")]
    [InlineData("AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kms/aws4_request, Signature=00")]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=00")]
    [InlineData("Bearer abc")]
    [InlineData("AWS4-HMAC-SHA256 Credential=test, SignedHeaders=host;x-amz-date, Signature=00")]
    public async Task An_Authorization_header_missing_a_part_is_IncompleteSignatureException(string authorization)
    {
        var request = RawKms.Request(Endpoint, "TrentService.GenerateRandom", RandomBody, sign: false);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        (await Raw.SendAsync(request)).AssertError("IncompleteSignatureException");
    }

    [Theory]
    [InlineData("zz")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("00000000000000000000000000000000000000000000000000000000000000000000")]
    public async Task A_signature_that_is_not_the_right_hex_is_InvalidSignatureException(string signature)
    {
        var request = Signed();
        var authorization = request.Headers.GetValues("Authorization").Single();
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", authorization[..(authorization.IndexOf("Signature=", StringComparison.Ordinal) + 10)] + signature);

        (await Raw.SendAsync(request)).AssertError("InvalidSignatureException", SignatureMismatch);
    }

    [Fact]
    public async Task A_credential_scoped_to_another_service_is_InvalidSignatureException()
    {
        var request = Signed();
        var authorization = request.Headers.GetValues("Authorization").Single().Replace("/kms/aws4_request", "/s3/aws4_request", StringComparison.Ordinal);
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        (await Raw.SendAsync(request)).AssertError("InvalidSignatureException");
    }

    [Fact]
    public async Task A_refused_DisableKey_leaves_the_key_enabled()
    {
        var keyId = await Raw.NewKeyAsync(Endpoint);
        var request = RawKms.Request(Endpoint, "TrentService.DisableKey", "{\"KeyId\":\"" + keyId + "\"}", secretKey: "wrong");

        (await Raw.SendAsync(request)).AssertError("InvalidSignatureException", SignatureMismatch);

        var described = (await Raw.CallAsync(Endpoint, "DescribeKey", new { KeyId = keyId })).AssertOk();
        Assert.Equal("Enabled", described.GetProperty("KeyMetadata").GetProperty("KeyState").GetString());
    }
}
