using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.KeyStores.Xks;

namespace OrleansKms.UnitTests.KeyStores;

/// <summary>
/// The specification's error answers, and answers that break it (a lying proxy), each become the AWS error the
/// calling KMS operation reports, with AWS's message.
/// </summary>
public sealed class XksProxyErrorMappingTests
{
    private const string CannotInterpret = "AWS KMS cannot interpret the response from the external key store proxy.";

    private readonly XksFakeProxy _proxy = new(new FakeTimeProvider(XksFakeProxy.Start));
    private readonly XksProxyClient _client;

    public XksProxyErrorMappingTests() => _client = new XksProxyClient(new HttpClient(_proxy), new FakeTimeProvider(XksFakeProxy.Start));

    /// <summary>Calls the proxy API <paramref name="kmsOperation"/> uses: health for the key-store operations, metadata for CreateKey.</summary>
    private Task Call(string kmsOperation)
    {
        var connection = XksFakeProxy.Connection();
        var metadata = XksFakeProxy.Metadata(kmsOperation);
        var cancel = TestContext.Current.CancellationToken;
        return kmsOperation switch
        {
            "CreateKey" => _client.GetKeyMetadataAsync(connection, XksFakeProxy.KeyId, metadata, cancel),
            "Encrypt" or "GenerateDataKey" => _client.EncryptAsync(connection, XksFakeProxy.KeyId, new byte[32], [], metadata, cancel),
            "Decrypt" => _client.DecryptAsync(connection, XksFakeProxy.KeyId, new XksCiphertext(new byte[32], new byte[12], new byte[16]), [], metadata, cancel),
            _ => _client.GetHealthAsync(connection, metadata, cancel),
        };
    }

    [Theory]
    [InlineData(400, "ValidationException", "Encrypt", KmsErrorCode.KMSInvalidStateException, CannotInterpret)]
    [InlineData(400, "ValidationException", "CreateCustomKeyStore", KmsErrorCode.XksProxyInvalidResponseException, CannotInterpret)]
    [InlineData(400, "InvalidStateException", "CreateKey", KmsErrorCode.XksKeyInvalidConfigurationException, "The external key associated with this KMS key in an external key store is not enabled")]
    [InlineData(400, "InvalidStateException", "Encrypt", KmsErrorCode.KMSInvalidStateException, "The external key associated with this KMS key in an external key store is not enabled")]
    [InlineData(400, "InvalidStateException", "ConnectCustomKeyStore", KmsErrorCode.XksProxyInvalidConfigurationException, "The external key store proxy rejected the request because the external key store is disabled")]
    [InlineData(400, "InvalidCiphertextException", "Decrypt", KmsErrorCode.KMSInvalidStateException, "The external key store proxy rejected the request because the specified ciphertext or encryption context is corrupted")]
    [InlineData(400, "InvalidKeyUsageException", "CreateKey", KmsErrorCode.XksKeyInvalidConfigurationException, "does not support the requested operation. Enable the operation")]
    [InlineData(401, "AuthenticationFailedException", "CreateCustomKeyStore", KmsErrorCode.XksProxyIncorrectAuthenticationCredentialException, "it could not authenticate AWS KMS")]
    [InlineData(401, "AuthenticationFailedException", "CreateKey", KmsErrorCode.CustomKeyStoreInvalidStateException, "it could not authenticate AWS KMS")]
    [InlineData(403, "AccessDeniedException", "CreateKey", KmsErrorCode.KMSInvalidStateException, "The external key store proxy denied access to the operation.")]
    [InlineData(403, "AccessDeniedException", "UpdateCustomKeyStore", KmsErrorCode.XksProxyIncorrectAuthenticationCredentialException, "The external key store proxy denied access to the operation.")]
    [InlineData(404, "KeyNotFoundException", "CreateKey", KmsErrorCode.XksKeyNotFoundException, "was not found in its external key manager")]
    [InlineData(404, "KeyNotFoundException", "Decrypt", KmsErrorCode.KMSInvalidStateException, "was not found in its external key manager")]
    [InlineData(404, "KeyNotFoundException", "CreateCustomKeyStore", KmsErrorCode.XksProxyInvalidResponseException, CannotInterpret)]
    [InlineData(404, "InvalidUriPathException", "CreateCustomKeyStore", KmsErrorCode.XksProxyInvalidConfigurationException, "because of an invalid URI path")]
    [InlineData(404, "InvalidUriPathException", "CreateKey", KmsErrorCode.CustomKeyStoreInvalidStateException, "because of an invalid URI path")]
    [InlineData(429, "ThrottlingException", "CreateCustomKeyStore", KmsErrorCode.XksProxyUriUnreachableException, "due to a very high request rate")]
    [InlineData(429, "ThrottlingException", "GenerateDataKey", KmsErrorCode.KMSInvalidStateException, "due to a very high request rate")]
    [InlineData(501, "UnsupportedOperationException", "Encrypt", KmsErrorCode.KMSInvalidStateException, "it does not support the requested operation")]
    [InlineData(501, "UnsupportedOperationException", "CreateKey", KmsErrorCode.CustomKeyStoreInvalidStateException, "it does not support the requested operation")]
    [InlineData(503, "DependencyTimeoutException", "UpdateCustomKeyStore", KmsErrorCode.XksProxyUriUnreachableException, "did not respond to the request in the time allotted")]
    [InlineData(500, "InternalException", "CreateCustomKeyStore", KmsErrorCode.XksProxyInvalidResponseException, "it cannot communicate with the external key manager")]
    [InlineData(500, "InternalException", "Decrypt", KmsErrorCode.KMSInvalidStateException, "it cannot communicate with the external key manager")]
    [InlineData(418, "TeapotException", "CreateCustomKeyStore", KmsErrorCode.XksProxyInvalidResponseException, CannotInterpret)]
    public async Task Error_answers_map_by_error_name_and_kms_operation(int status, string errorName, string kmsOperation, KmsErrorCode expected, string message)
    {
        _proxy.Intercept = _ => XksFakeProxy.Answer((HttpStatusCode)status, XksFakeProxy.Error(errorName));

        var e = await Assert.ThrowsAsync<KmsException>(() => Call(kmsOperation));

        Assert.Equal(expected, e.Code);
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain("from the fake proxy", e.Message);
    }

    [Theory]
    [InlineData(401, "", KmsErrorCode.XksProxyIncorrectAuthenticationCredentialException, "it could not authenticate AWS KMS")]
    [InlineData(403, "<html>Forbidden</html>", KmsErrorCode.XksProxyIncorrectAuthenticationCredentialException, "denied access")]
    [InlineData(500, "<html>Bad gateway</html>", KmsErrorCode.XksProxyInvalidResponseException, CannotInterpret)]
    [InlineData(404, "{}", KmsErrorCode.XksProxyInvalidResponseException, CannotInterpret)]
    [InlineData(200, "not json at all", KmsErrorCode.XksProxyInvalidResponseException, CannotInterpret)]
    [InlineData(200, "[1,2,3]", KmsErrorCode.XksProxyInvalidResponseException, CannotInterpret)]
    [InlineData(200, "{}", KmsErrorCode.XksProxyInvalidResponseException, CannotInterpret)]
    [InlineData(204, "", KmsErrorCode.XksProxyInvalidResponseException, CannotInterpret)]
    public async Task Answers_without_a_usable_error_name_fall_back_on_the_status(int status, string body, KmsErrorCode expected, string message)
    {
        _proxy.Intercept = _ => XksFakeProxy.Answer((HttpStatusCode)status, body);

        var e = await Assert.ThrowsAsync<KmsException>(() => Call("CreateCustomKeyStore"));

        Assert.Equal(expected, e.Code);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("fleet size zero")]
    [InlineData("no fleet")]
    [InlineData("eleven key managers")]
    [InlineData("unknown health status")]
    [InlineData("vendor missing")]
    public async Task A_health_answer_that_breaks_the_specification_is_an_invalid_response(string lie)
    {
        _proxy.Tamper = (_, answer) =>
        {
            switch (lie)
            {
                case "fleet size zero": answer["xksProxyFleetSize"] = 0; break;
                case "no fleet": answer["ekmFleetDetails"] = new JsonArray(); break;
                case "eleven key managers": answer["ekmFleetDetails"] = new JsonArray([.. Enumerable.Range(0, 11).Select(i => (JsonNode)new JsonObject { ["id"] = $"{i}", ["model"] = "m", ["healthStatus"] = "ACTIVE" })]); break;
                case "unknown health status": answer["ekmFleetDetails"]![0]!["healthStatus"] = "FINE"; break;
                case "vendor missing": answer.Remove("xksProxyVendor"); break;
            }
        };

        var e = await Assert.ThrowsAsync<KmsException>(() => Call("CreateCustomKeyStore"));

        Assert.Equal(KmsErrorCode.XksProxyInvalidResponseException, e.Code);
        Assert.StartsWith(CannotInterpret, e.Message);
    }

    [Fact]
    public async Task Every_key_manager_unavailable_is_unreachable()
    {
        _proxy.Tamper = (_, answer) =>
        {
            foreach (var instance in answer["ekmFleetDetails"]!.AsArray()) instance!["healthStatus"] = "UNAVAILABLE";
        };

        var e = await Assert.ThrowsAsync<KmsException>(() => Call("ConnectCustomKeyStore"));

        Assert.Equal(KmsErrorCode.XksProxyUriUnreachableException, e.Code);
        Assert.True(XksErrors.TryGetFailure(e, out var failure));
        Assert.Equal("XKS_PROXY_NOT_REACHABLE", XksErrors.ConnectionErrorCode(failure));
    }

    [Theory]
    [InlineData("ciphertext one byte short")]
    [InlineData("ciphertext one byte long")]
    [InlineData("tag of 15 bytes")]
    [InlineData("iv of 8 bytes")]
    [InlineData("iv missing")]
    [InlineData("ciphertext not base64")]
    [InlineData("metadata of 21 bytes")]
    [InlineData("integrity value wrong")]
    [InlineData("integrity value missing")]
    public async Task An_encrypt_answer_that_breaks_the_specification_is_refused(string lie)
    {
        _proxy.Tamper = (_, answer) => Lie(lie, answer);

        var e = await Assert.ThrowsAsync<KmsException>(() => Call("Encrypt"));

        Assert.Equal(KmsErrorCode.KMSInvalidStateException, e.Code);
        Assert.StartsWith(CannotInterpret, e.Message);
    }

    [Fact]
    public async Task A_decrypt_answer_of_the_wrong_length_is_refused()
    {
        var ciphertext = await _client.EncryptAsync(XksFakeProxy.Connection(), XksFakeProxy.KeyId, new byte[32], [], XksFakeProxy.Metadata("Encrypt"), TestContext.Current.CancellationToken);
        _proxy.Tamper = (_, answer) => answer["plaintext"] = Convert.ToBase64String(new byte[31]);

        var e = await Assert.ThrowsAsync<KmsException>(() =>
            _client.DecryptAsync(XksFakeProxy.Connection(), XksFakeProxy.KeyId, ciphertext, [], XksFakeProxy.Metadata("Decrypt"), TestContext.Current.CancellationToken));

        Assert.Equal(KmsErrorCode.KMSInvalidStateException, e.Code);
        Assert.StartsWith(CannotInterpret, e.Message);
    }

    [Fact]
    public async Task An_answer_larger_than_the_limit_is_refused()
    {
        _proxy.Tamper = (_, answer) => answer["xksProxyModel"] = new string('x', 70_000);

        var e = await Assert.ThrowsAsync<KmsException>(() => Call("CreateCustomKeyStore"));

        Assert.Equal(KmsErrorCode.XksProxyInvalidResponseException, e.Code);
    }

    [Fact]
    public async Task An_answer_from_a_followed_redirect_is_not_the_proxys()
    {
        var redirected = new XksLambdaHandler(_ =>
        {
            var answer = XksFakeProxy.Answer(HttpStatusCode.OK, """{"xksProxyFleetSize":1,"xksProxyVendor":"v","xksProxyModel":"m","ekmVendor":"e","ekmFleetDetails":[{"id":"1","model":"m","healthStatus":"ACTIVE"}]}""");
            answer.RequestMessage = new HttpRequestMessage(HttpMethod.Get, "https://elsewhere.example.com/health");
            return Task.FromResult(answer);
        });
        var client = new XksProxyClient(new HttpClient(redirected), new FakeTimeProvider(XksFakeProxy.Start));

        var e = await Assert.ThrowsAsync<KmsException>(() =>
            client.GetHealthAsync(XksFakeProxy.Connection(), XksFakeProxy.Metadata("CreateCustomKeyStore"), TestContext.Current.CancellationToken));

        Assert.Equal(KmsErrorCode.XksProxyInvalidResponseException, e.Code);
    }

    private static void Lie(string lie, JsonObject answer)
    {
        byte[] Field(string name) => Convert.FromBase64String((string)answer[name]!);
        switch (lie)
        {
            case "ciphertext one byte short": answer["ciphertext"] = Convert.ToBase64String(Field("ciphertext")[..^1]); break;
            case "ciphertext one byte long": answer["ciphertext"] = Convert.ToBase64String([.. Field("ciphertext"), 0]); break;
            case "tag of 15 bytes": answer["authenticationTag"] = Convert.ToBase64String(Field("authenticationTag")[..15]); break;
            case "iv of 8 bytes": answer["initializationVector"] = Convert.ToBase64String(new byte[8]); break;
            case "iv missing": answer.Remove("initializationVector"); break;
            case "ciphertext not base64": answer["ciphertext"] = "%%% not base64 %%%"; break;
            case "metadata of 21 bytes": answer["ciphertextMetadata"] = Convert.ToBase64String(new byte[21]); break;
            case "integrity value wrong": answer["ciphertextDataIntegrityValue"] = Convert.ToBase64String(new byte[32]); break;
            case "integrity value missing": answer.Remove("ciphertextDataIntegrityValue"); break;
        }
    }
}
