using System.Net;
using System.Text;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.BadInput;

/// <summary>
/// Requests no SDK would send, signed correctly: broken JSON, wrong member types, bad base64, unknown targets,
/// missing members, oversize bodies. Each is a 4xx with AWS's <c>__type</c> (and message where AWS's is known).
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class ProtocolBadInputTests(KmsServerFixture fixture)
{
    private const string AnyKey = "00000000-0000-4000-8000-000000000000";

    private Uri Endpoint => fixture.Server.Endpoint;

    /// <summary>Bodies that are not JSON of the operation's shape (target, body); each is a SerializationException.</summary>
    internal static readonly (string Target, string Body)[] NotTheShape =
    [
        ("Encrypt", "{"),
        ("Encrypt", "{\"KeyId\":"),
        ("Encrypt", "not json"),
        ("Encrypt", "{\"KeyId\":\"" + AnyKey + "\",}"),
        ("Encrypt", "{\"KeyId\": /* comment */ \"" + AnyKey + "\"}"),
        ("Encrypt", "{\"KeyId\":\"" + AnyKey + "\"}}"),
        ("Encrypt", "[]"),
        ("Encrypt", "\"Encrypt\""),
        ("Encrypt", "42"),
        ("ListKeys", "{\"Limit\":\"10\"}"),
        ("ListKeys", "{\"Limit\":true}"),
        ("ListKeys", "{\"Marker\":7}"),
        ("DescribeKey", "{\"KeyId\":123}"),
        ("DescribeKey", "{\"KeyId\":[\"" + AnyKey + "\"]}"),
        ("Encrypt", "{\"KeyId\":\"" + AnyKey + "\",\"Plaintext\":{}}"),
        ("Encrypt", "{\"KeyId\":\"" + AnyKey + "\",\"Plaintext\":123}"),
        ("Encrypt", "{\"KeyId\":\"" + AnyKey + "\",\"Plaintext\":\"AQID\",\"EncryptionContext\":{\"a\":1}}"),
        ("Encrypt", "{\"KeyId\":\"" + AnyKey + "\",\"Plaintext\":\"AQID\",\"EncryptionContext\":[\"a\"]}"),
        ("Encrypt", "{\"KeyId\":\"" + AnyKey + "\",\"Plaintext\":\"AQID\",\"DryRun\":\"yes\"}"),
        ("GenerateRandom", "{\"NumberOfBytes\":1.5}"),
        ("GenerateRandom", "{\"NumberOfBytes\":\"8\"}"),
        ("GenerateRandom", "{\"NumberOfBytes\":99999999999}"),
        ("GenerateDataKey", "{\"KeyId\":\"" + AnyKey + "\",\"NumberOfBytes\":-1e400}"),
        ("CreateKey", "{\"Tags\":{\"team\":\"a\"}}"),
        ("CreateKey", "{\"Tags\":[{\"TagKey\":1,\"TagValue\":\"v\"}]}"),
        ("CreateKey", "{\"Description\":false}"),
        ("Decrypt", "{\"CiphertextBlob\":\"AQID\",\"Recipient\":" + new string('[', 200) + new string(']', 200) + "}"),
    ];

    /// <summary>Blob members that are not base64 (target, body); each is a SerializationException.</summary>
    internal static readonly (string Target, string Body)[] BadBase64 =
    [
        ("Encrypt", "{\"KeyId\":\"" + AnyKey + "\",\"Plaintext\":\"%%% not base64 %%%\"}"),
        ("Decrypt", "{\"CiphertextBlob\":\"***\"}"),
        ("Decrypt", "{\"CiphertextBlob\":\"A\"}"),
        ("ReEncrypt", "{\"CiphertextBlob\":\"é\",\"DestinationKeyId\":\"" + AnyKey + "\"}"),
    ];

    /// <summary>Requests missing a required member (target, body, AWS's message).</summary>
    internal static readonly (string Target, string Body, string Message)[] MissingMembers =
    [
        ("Encrypt", "{\"Plaintext\":\"AQID\"}", Null("keyId")),
        ("Encrypt", "{}", "2 validation errors detected: " + NullError("keyId") + "; " + NullError("plaintext")),
        ("Decrypt", "{}", Null("ciphertextBlob")),
        ("ReEncrypt", "{\"CiphertextBlob\":\"AQID\"}", Null("destinationKeyId")),
        ("DescribeKey", "{}", Null("keyId")),
        ("EnableKey", "{}", Null("keyId")),
        ("DisableKey", "{}", Null("keyId")),
        ("UpdateKeyDescription", "{\"KeyId\":\"" + AnyKey + "\"}", Null("description")),
        ("GenerateDataKey", "{\"KeySpec\":\"AES_256\"}", Null("keyId")),
        ("GenerateDataKeyWithoutPlaintext", "{\"NumberOfBytes\":8}", Null("keyId")),
        ("GenerateRandom", "{}", "NumberOfBytes is required."),
    ];

    private static string NullError(string member) => $"Value null at '{member}' failed to satisfy constraint: Member must not be null";

    private static string Null(string member) => "1 validation error detected: " + NullError(member);

    public static TheoryData<string, string> NotTheShapeCases() => Rows(NotTheShape);

    public static TheoryData<string, string> BadBase64Cases() => Rows(BadBase64);

    public static TheoryData<string, string, string> MissingMemberCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (target, body, message) in MissingMembers) data.Add(target, body, message);
        return data;
    }

    private static TheoryData<string, string> Rows(IEnumerable<(string, string)> rows)
    {
        var data = new TheoryData<string, string>();
        foreach (var (target, body) in rows) data.Add(target, body);
        return data;
    }

    [Theory]
    [MemberData(nameof(NotTheShapeCases))]
    public async Task A_body_that_is_not_JSON_of_the_operations_shape_is_SerializationException(string operation, string body)
    {
        (await Raw.CallAsync(Endpoint, "TrentService." + operation, body)).AssertError("SerializationException");
    }

    [Theory]
    [MemberData(nameof(BadBase64Cases))]
    public async Task A_blob_member_that_is_not_base64_is_SerializationException(string operation, string body)
    {
        (await Raw.CallAsync(Endpoint, "TrentService." + operation, body)).AssertError("SerializationException");
    }

    [Fact]
    public async Task A_body_that_is_not_UTF8_is_SerializationException()
    {
        byte[] body = [.. "{\"KeyId\":\""u8, 0xC3, 0x28, 0xFF, .. "\",\"Plaintext\":\"AQID\"}"u8];

        (await Raw.SendAsync(RawKms.Request(Endpoint, "TrentService.Encrypt", body))).AssertError("SerializationException");
    }

    [Theory]
    [MemberData(nameof(MissingMemberCases))]
    public async Task A_missing_required_member_is_the_AWS_ValidationException(string operation, string body, string message)
    {
        (await Raw.CallAsync(Endpoint, "TrentService." + operation, body)).AssertError("ValidationException", message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    public async Task An_empty_or_null_body_is_an_empty_request(string body)
    {
        (await Raw.CallAsync(Endpoint, "TrentService.Encrypt", body))
            .AssertError("ValidationException", "2 validation errors detected: " + NullError("keyId") + "; " + NullError("plaintext"));
        (await Raw.CallAsync(Endpoint, "TrentService.ListKeys", body)).AssertOk();
    }

    [Theory]
    [InlineData("TrentService.Nope")]
    [InlineData("TrentService.")]
    [InlineData("TrentService.encrypt")]
    [InlineData("Encrypt")]
    [InlineData("DynamoDB_20120810.GetItem")]
    public async Task A_target_that_is_no_KMS_operation_is_UnknownOperationException(string target)
    {
        (await Raw.CallAsync(Endpoint, target, "{}")).AssertError("UnknownOperationException");
    }

    [Fact]
    public async Task A_request_without_X_Amz_Target_is_UnknownOperationException()
    {
        (await Raw.CallAsync(Endpoint, null, "{}")).AssertError("UnknownOperationException");
    }

    [Fact]
    public void No_KMS_operation_is_left_unimplemented_so_none_answers_UnsupportedOperationException()
    {
        Assert.Empty(OrleansKms.Gateway.Operations.OperationTable.NotYetImplemented);
    }

    [Fact]
    public async Task A_body_over_1_MiB_is_413_RequestEntityTooLargeException()
    {
        var body = "{\"KeyId\":\"" + AnyKey + "\",\"Plaintext\":\"" + new string('A', 1024 * 1024) + "\"}";

        (await Raw.CallAsync(Endpoint, "TrentService.Encrypt", body))
            .AssertError("RequestEntityTooLargeException", status: HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_chunked_body_over_1_MiB_is_413_RequestEntityTooLargeException()
    {
        var body = Encoding.UTF8.GetBytes("{\"KeyId\":\"" + AnyKey + "\",\"Plaintext\":\"" + new string('A', 1024 * 1024) + "\"}");
        var request = RawKms.Request(Endpoint, "TrentService.Encrypt", body);
        var contentType = request.Content!.Headers.ContentType;
        request.Content = new StreamContent(new UnknownLengthStream(body));
        request.Content.Headers.ContentType = contentType;

        (await Raw.SendAsync(request)).AssertError("RequestEntityTooLargeException", status: HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_body_of_exactly_the_largest_valid_plaintext_is_served()
    {
        var keyId = await Raw.NewKeyAsync(Endpoint);

        var ciphertext = await Raw.EncryptAsync(Endpoint, keyId, new byte[4096]);

        Assert.Equal(new byte[4096], (await Raw.DecryptAsync(Endpoint, ciphertext)).AssertOk().GetProperty("Plaintext").GetBytesFromBase64());
    }

    /// <summary>A stream that does not tell its length, so HttpClient sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
