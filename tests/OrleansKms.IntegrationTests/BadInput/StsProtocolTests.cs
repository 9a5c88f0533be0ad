using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using OrleansKms.IntegrationTests.Compatibility;

namespace OrleansKms.IntegrationTests.BadInput;

/// <summary>
/// STS's query protocol on the wire, for what the SDK would not send: the XML of answers and errors, actions that do
/// not exist, STS's validation messages, and requests routed by X-Amz-Target between STS and KMS.
/// </summary>
[Collection(StsCollection.Name)]
public sealed class StsProtocolTests(StsServerFixture fixture)
{
    private static readonly XNamespace Sts = "https://sts.amazonaws.com/doc/2011-06-15/";

    /// <summary>A form-encoded POST signed by alice, as the AWS CLI sends STS requests, for <paramref name="service"/>.</summary>
    private HttpRequestMessage Form(string body, string service = "sts", string? target = null, bool sign = true)
    {
        var amzDate = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'");
        var request = new HttpRequestMessage(HttpMethod.Post, fixture.Server.Endpoint) { Content = new StringContent(body) };
        const string contentType = "application/x-www-form-urlencoded; charset=utf-8";
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (target is not null) request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        if (!sign) return request;
        var headers = $"content-type:{contentType}\nhost:{fixture.Server.Endpoint.Authority}\nx-amz-date:{amzDate}\n" + (target is null ? "" : $"x-amz-target:{target}\n");
        var signed = "content-type;host;x-amz-date" + (target is null ? "" : ";x-amz-target");
        var canonical = $"POST\n/\n\n{headers}\n{signed}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)))}";
        var scope = $"{amzDate[..8]}/{fixture.Region}/{service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4alice-secret");
        foreach (var part in new[] { amzDate[..8], fixture.Region, service, "aws4_request" }) key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={StsServerFixture.AliceKey}/{scope}, SignedHeaders={signed}, Signature={signature}");
        return request;
    }

    private static async Task<(HttpStatusCode Status, XElement Xml, HttpResponseMessage Response)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            var response = await Raw.Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, XElement.Parse(body), response);
        }
    }

    /// <summary>Asserts STS's error document and returns its message.</summary>
    private static string AssertError((HttpStatusCode Status, XElement Xml, HttpResponseMessage Response) reply, HttpStatusCode status, string code)
    {
        Assert.Equal(status, reply.Status);
        Assert.Equal("text/xml", reply.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Sts + "ErrorResponse", reply.Xml.Name);
        var error = reply.Xml.Element(Sts + "Error")!;
        Assert.Equal("Sender", error.Element(Sts + "Type")?.Value);
        Assert.Equal(code, error.Element(Sts + "Code")?.Value);
        Assert.Equal(reply.Response.Headers.GetValues("x-amzn-RequestId").Single(), reply.Xml.Element(Sts + "RequestId")?.Value);
        return error.Element(Sts + "Message")!.Value;
    }

    [Fact]
    public async Task GetCallerIdentity_answers_STS_XML_with_its_request_id()
    {
        var reply = await SendAsync(Form("Action=GetCallerIdentity&Version=2011-06-15"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("text/xml", reply.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Sts + "GetCallerIdentityResponse", reply.Xml.Name);
        var result = reply.Xml.Element(Sts + "GetCallerIdentityResult")!;
        Assert.Equal($"arn:aws:iam::{StsServerFixture.Account}:user/alice", result.Element(Sts + "Arn")?.Value);
        Assert.Equal(StsServerFixture.Account, result.Element(Sts + "Account")?.Value);
        Assert.Equal(reply.Response.Headers.GetValues("x-amzn-RequestId").Single(),
            reply.Xml.Element(Sts + "ResponseMetadata")?.Element(Sts + "RequestId")?.Value);
    }

    [Theory]
    [InlineData("Action=GetSessionToken&Version=2011-06-15", "Could not find operation GetSessionToken for version 2011-06-15")]
    [InlineData("Action=GetCallerIdentity&Version=2010-01-01", "Could not find operation GetCallerIdentity for version 2010-01-01")]
    public async Task Other_actions_and_versions_are_InvalidAction(string body, string message)
    {
        var reply = await SendAsync(Form(body));

        Assert.Equal(message, AssertError(reply, HttpStatusCode.BadRequest, "InvalidAction"));
    }

    [Fact]
    public async Task A_request_without_an_action_is_MissingAction()
    {
        var reply = await SendAsync(Form("Version=2011-06-15"));

        Assert.Equal("The request is missing an action or a required parameter.", AssertError(reply, HttpStatusCode.BadRequest, "MissingAction"));
    }

    [Fact]
    public async Task AssumeRole_validation_errors_are_reported_together_as_STS_words_them()
    {
        var reply = await SendAsync(Form("Action=AssumeRole&Version=2011-06-15&RoleSessionName=x&DurationSeconds=50000"));

        Assert.Equal(
            "3 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; "
            + "Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; "
            + "Value '50000' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
            AssertError(reply, HttpStatusCode.BadRequest, "ValidationError"));
    }

    [Fact]
    public async Task A_session_name_outside_STS_pattern_is_ValidationError()
    {
        var reply = await SendAsync(Form($"Action=AssumeRole&Version=2011-06-15&RoleArn={Uri.EscapeDataString(StsServerFixture.KmsUserRole)}&RoleSessionName=has%20space"));

        Assert.Equal(
            "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
            AssertError(reply, HttpStatusCode.BadRequest, "ValidationError"));
    }

    [Fact]
    public async Task Session_policies_are_refused_rather_than_ignored()
    {
        var policy = Uri.EscapeDataString("""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}""");
        var reply = await SendAsync(Form($"Action=AssumeRole&Version=2011-06-15&RoleArn={Uri.EscapeDataString(StsServerFixture.KmsUserRole)}&RoleSessionName=narrow&Policy={policy}"));

        Assert.StartsWith("Policy is not supported", AssertError(reply, HttpStatusCode.BadRequest, "ValidationError"));
    }

    [Fact]
    public async Task An_unsigned_STS_request_is_MissingAuthenticationToken()
    {
        var reply = await SendAsync(Form("Action=GetCallerIdentity&Version=2011-06-15", sign: false));

        Assert.Equal("Request is missing Authentication Token", AssertError(reply, HttpStatusCode.Forbidden, "MissingAuthenticationToken"));
    }

    [Fact]
    public async Task A_form_request_signed_for_kms_is_SignatureDoesNotMatch()
    {
        var reply = await SendAsync(Form("Action=GetCallerIdentity&Version=2011-06-15", service: "kms"));

        Assert.Equal("Credential should be scoped to correct service: 'sts'. ", AssertError(reply, HttpStatusCode.Forbidden, "SignatureDoesNotMatch"));
    }

    [Fact]
    public async Task A_request_with_X_Amz_Target_is_KMS_whatever_its_content_type()
    {
        using var request = Form("Action=GetCallerIdentity&Version=2011-06-15", target: "TrentService.ListKeys");
        using var response = await Raw.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"__type\"", body);
        Assert.Contains("InvalidSignatureException", body);
    }
}
