using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.BadInput;

/// <summary>
/// The gateway's validation of the custom key store operations, and of CreateKey's and GenerateRandom's custom key
/// store members, at the wire: each request here is refused before any store is asked, with AWS's error type and
/// message (AWS's constraint wording; for the rules across members, which AWS's recordings do not show, the gateway's).
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class CustomKeyStoreBadInputTests(KmsServerFixture fixture)
{
    private const string Path = "/kms/xks/v1";
    private const string AccessKeyId = "ABCDEFGHIJKLMNOPQRST";
    private const string Secret = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    private const string Enums = "Member must satisfy enum value set: ";

    private Uri Endpoint => fixture.Server.Endpoint;

    private static object Credential(string? accessKeyId = AccessKeyId, string? secret = Secret) =>
        new { AccessKeyId = accessKeyId, RawSecretAccessKey = secret };

    private static string One(string error) => "1 validation error detected: " + error;

    private static string Null(string member) => $"Value null at '{member}' failed to satisfy constraint: Member must not be null";

    private static string Constraint(string value, string member, string constraint) => $"Value '{value}' at '{member}' failed to satisfy constraint: {constraint}";

    private Task<RawReply> CallAsync(string operation, object body) => Raw.CallAsync(Endpoint, operation, body);

    [Fact]
    public async Task CreateCustomKeyStore_without_a_name_is_the_AWS_ValidationException()
    {
        (await CallAsync("CreateCustomKeyStore", new { })).AssertError("ValidationException", One(Null("customKeyStoreName")));
    }

    [Fact]
    public async Task CreateCustomKeyStore_with_a_257_character_name_is_the_AWS_ValidationException()
    {
        var name = new string('n', 257);

        (await CallAsync("CreateCustomKeyStore", new { CustomKeyStoreName = name })).AssertError("ValidationException",
            One(Constraint(name, "customKeyStoreName", "Member must have length less than or equal to 256")));
    }

    [Fact]
    public async Task CreateCustomKeyStore_of_an_unknown_type_lists_the_types()
    {
        (await CallAsync("CreateCustomKeyStore", new { CustomKeyStoreName = "s", CustomKeyStoreType = "HSM" })).AssertError("ValidationException",
            One(Constraint("HSM", "customKeyStoreType", Enums + "[AWS_CLOUDHSM, EXTERNAL_KEY_STORE]")));
    }

    [Fact]
    public async Task CreateCustomKeyStore_reports_every_violation_in_the_models_member_order()
    {
        (await CallAsync("CreateCustomKeyStore", new { CloudHsmClusterId = "cluster-1", CustomKeyStoreType = "HSM" })).AssertError("ValidationException",
            "3 validation errors detected: " + Null("customKeyStoreName") + "; "
            + Constraint("cluster-1", "cloudHsmClusterId", "Member must have length greater than or equal to 19") + "; "
            + Constraint("HSM", "customKeyStoreType", Enums + "[AWS_CLOUDHSM, EXTERNAL_KEY_STORE]"));
    }

    [Fact]
    public async Task A_CloudHsmClusterId_outside_the_models_pattern_is_the_AWS_ValidationException()
    {
        const string id = "cluster-0000000000000";

        (await CallAsync("CreateCustomKeyStore", new { CustomKeyStoreName = "s", CloudHsmClusterId = id })).AssertError("ValidationException",
            One(Constraint(id, "cloudHsmClusterId", "Member must satisfy regular expression pattern: cluster-[2-7a-zA-Z]{11,16}")));
    }

    [Fact]
    public async Task A_short_KeyStorePassword_is_refused_without_echoing_it()
    {
        var reply = await CallAsync("CreateCustomKeyStore", new { CustomKeyStoreName = "s", KeyStorePassword = "secret" });

        reply.AssertError("ValidationException",
            One("Value at 'keyStorePassword' failed to satisfy constraint: Member must have length greater than or equal to 7"));
        Assert.DoesNotContain("secret", reply.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_AWS_CLOUDHSM_store_needs_its_cluster_certificate_and_password()
    {
        (await CallAsync("CreateCustomKeyStore", new { CustomKeyStoreName = "s", CloudHsmClusterId = "cluster-234567abcdefg" })).AssertError(
            "ValidationException",
            "CloudHsmClusterId, TrustAnchorCertificate and KeyStorePassword are required for a custom key store with a CustomKeyStoreType of AWS_CLOUDHSM.");
    }

    [Fact]
    public async Task An_AWS_CLOUDHSM_store_takes_no_external_key_store_member()
    {
        (await CallAsync("CreateCustomKeyStore", new { CustomKeyStoreName = "s", XksProxyUriEndpoint = "https://xks.example.com" })).AssertError(
            "ValidationException", "XksProxyUriEndpoint is valid only for a custom key store with a CustomKeyStoreType of EXTERNAL_KEY_STORE.");
    }

    [Fact]
    public async Task An_external_key_store_takes_no_CloudHSM_member()
    {
        (await CallAsync("CreateCustomKeyStore", new { CustomKeyStoreName = "s", CustomKeyStoreType = "EXTERNAL_KEY_STORE", KeyStorePassword = "kmsuser-password" }))
            .AssertError("ValidationException", "KeyStorePassword is valid only for a custom key store with a CustomKeyStoreType of AWS_CLOUDHSM.");
    }

    [Fact]
    public async Task An_external_key_store_needs_its_connectivity()
    {
        (await CallAsync("CreateCustomKeyStore", new { CustomKeyStoreName = "s", CustomKeyStoreType = "EXTERNAL_KEY_STORE" })).AssertError(
            "ValidationException", "XksProxyConnectivity is required for a custom key store with a CustomKeyStoreType of EXTERNAL_KEY_STORE.");
    }

    [Fact]
    public async Task An_external_key_store_needs_its_proxy_endpoint_path_and_credential()
    {
        (await CallAsync("CreateCustomKeyStore", new
        {
            CustomKeyStoreName = "s",
            CustomKeyStoreType = "EXTERNAL_KEY_STORE",
            XksProxyUriPath = Path,
            XksProxyConnectivity = "PUBLIC_ENDPOINT",
        })).AssertError("ValidationException",
            "XksProxyUriEndpoint, XksProxyUriPath and XksProxyAuthenticationCredential are required for a custom key store with a CustomKeyStoreType of EXTERNAL_KEY_STORE.");
    }

    [Theory]
    [InlineData("/kms/xks/version1")]
    [InlineData("kms/xks/v1/")]
    [InlineData("/prefix/kms/xks/v123")]
    public async Task An_XksProxyUriPath_outside_the_models_pattern_is_the_AWS_ValidationException(string path)
    {
        (await CallAsync("CreateCustomKeyStore", new { CustomKeyStoreName = "s", XksProxyUriPath = path })).AssertError("ValidationException",
            One(Constraint(path, "xksProxyUriPath", @"Member must satisfy regular expression pattern: ^(/[a-zA-Z0-9\/_-]+/kms/xks/v\d{1,2})$|^(/kms/xks/v\d{1,2})$")));
    }

    [Theory]
    [InlineData("ftp://xks.example.com")]
    [InlineData("https://xks.example.com/")]
    [InlineData("https://user@xks.example.com")]
    [InlineData("https://xks.example.com:123456")]
    public async Task An_XksProxyUriEndpoint_that_is_no_scheme_host_and_port_shows_the_models_pattern(string endpoint)
    {
        (await CallAsync("CreateCustomKeyStore", new { CustomKeyStoreName = "s", XksProxyUriEndpoint = endpoint })).AssertError("ValidationException",
            One(Constraint(endpoint, "xksProxyUriEndpoint", "Member must satisfy regular expression pattern: ^https://[a-zA-Z0-9.-]+$")));
    }

    /// <summary>A local proxy's endpoint passes the gateway (the store decides on it): the one error left is the connectivity's.</summary>
    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://localhost:8080")]
    [InlineData("https://xks.example.com:8443")]
    public async Task A_loopback_or_port_endpoint_passes_the_gateways_pattern(string endpoint)
    {
        (await CallAsync("CreateCustomKeyStore", new { CustomKeyStoreName = "s", XksProxyUriEndpoint = endpoint, XksProxyConnectivity = "NOPE" }))
            .AssertError("ValidationException", One(Constraint("NOPE", "xksProxyConnectivity", Enums + "[PUBLIC_ENDPOINT, VPC_ENDPOINT_SERVICE]")));
    }

    [Fact]
    public async Task A_credential_needs_both_its_members_and_never_echoes_them()
    {
        var reply = await CallAsync("CreateCustomKeyStore", new { CustomKeyStoreName = "s", XksProxyAuthenticationCredential = Credential(secret: null, accessKeyId: "SHORT") });

        reply.AssertError("ValidationException", "2 validation errors detected: "
            + "Value at 'xksProxyAuthenticationCredential.accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 20; "
            + Null("xksProxyAuthenticationCredential.rawSecretAccessKey"));
        Assert.DoesNotContain("SHORT", reply.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_VPC_endpoint_service_name_with_PUBLIC_ENDPOINT_connectivity_is_refused()
    {
        (await CallAsync("CreateCustomKeyStore", new
        {
            CustomKeyStoreName = "s",
            CustomKeyStoreType = "EXTERNAL_KEY_STORE",
            XksProxyUriEndpoint = "https://xks.example.com",
            XksProxyUriPath = Path,
            XksProxyVpcEndpointServiceName = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
            XksProxyAuthenticationCredential = Credential(),
            XksProxyConnectivity = "PUBLIC_ENDPOINT",
        })).AssertError("ValidationException",
            "XksProxyVpcEndpointServiceName is valid only for an external key store with an XksProxyConnectivity of VPC_ENDPOINT_SERVICE.");
    }

    [Theory]
    [InlineData("ConnectCustomKeyStore")]
    [InlineData("DisconnectCustomKeyStore")]
    [InlineData("DeleteCustomKeyStore")]
    [InlineData("UpdateCustomKeyStore")]
    public async Task An_operation_on_one_store_needs_its_CustomKeyStoreId(string operation)
    {
        (await CallAsync(operation, new { })).AssertError("ValidationException", One(Null("customKeyStoreId")));
    }

    [Theory]
    [InlineData("ConnectCustomKeyStore")]
    [InlineData("DeleteCustomKeyStore")]
    [InlineData("DescribeCustomKeyStores")]
    [InlineData("GenerateRandom")]
    public async Task A_65_character_CustomKeyStoreId_is_the_AWS_ValidationException(string operation)
    {
        var id = "cks-" + new string('0', 61);

        object body = operation == "GenerateRandom" ? new { CustomKeyStoreId = id, NumberOfBytes = 8 } : new { CustomKeyStoreId = id };

        (await CallAsync(operation, body)).AssertError("ValidationException",
            One(Constraint(id, "customKeyStoreId", "Member must have length less than or equal to 64")));
    }

    [Fact]
    public async Task UpdateCustomKeyStore_checks_the_new_values_constraints()
    {
        (await CallAsync("UpdateCustomKeyStore", new { CustomKeyStoreId = "cks-1234567890abcdef0", NewCustomKeyStoreName = "", XksProxyConnectivity = "VPC" }))
            .AssertError("ValidationException", "2 validation errors detected: "
                + Constraint("", "newCustomKeyStoreName", "Member must have length greater than or equal to 1") + "; "
                + Constraint("VPC", "xksProxyConnectivity", Enums + "[PUBLIC_ENDPOINT, VPC_ENDPOINT_SERVICE]"));
    }

    [Fact]
    public async Task DescribeCustomKeyStores_takes_an_id_or_a_name_not_both()
    {
        (await CallAsync("DescribeCustomKeyStores", new { CustomKeyStoreId = "cks-1234567890abcdef0", CustomKeyStoreName = "s" })).AssertError(
            "ValidationException", "You cannot specify CustomKeyStoreId and CustomKeyStoreName in the same request.");
    }

    [Fact]
    public async Task DescribeCustomKeyStores_with_a_Limit_of_1001_is_the_AWS_ValidationException()
    {
        (await CallAsync("DescribeCustomKeyStores", new { Limit = 1001 })).AssertError("ValidationException",
            One(Constraint("1001", "limit", "Member must have value less than or equal to 1000")));
    }

    private const string Store = "\"CustomKeyStoreId\":\"cks-1234567890abcdef0\"";

    /// <summary>CreateKey bodies (what is wrong, body, AWS error type, message).</summary>
    public static TheoryData<string, string, string, string> CreateKeyCases() => new()
    {
        { "AWS_CLOUDHSM without a store", "{\"Origin\":\"AWS_CLOUDHSM\"}", "ValidationException",
            "You must specify a CustomKeyStoreId value for KMS keys with an Origin of AWS_CLOUDHSM." },
        { "EXTERNAL_KEY_STORE without a store", "{\"Origin\":\"EXTERNAL_KEY_STORE\",\"XksKeyId\":\"key-1\"}", "ValidationException",
            "You must specify a CustomKeyStoreId value for KMS keys with an Origin of EXTERNAL_KEY_STORE." },
        { "EXTERNAL_KEY_STORE without an external key", "{\"Origin\":\"EXTERNAL_KEY_STORE\"," + Store + "}", "ValidationException",
            "You must specify an XksKeyId value for KMS keys with an Origin of EXTERNAL_KEY_STORE." },
        { "a store with Origin AWS_KMS", "{" + Store + "}", "UnsupportedOperationException",
            "CustomKeyStoreId is valid only for KMS keys with an Origin of AWS_CLOUDHSM or EXTERNAL_KEY_STORE, not AWS_KMS." },
        { "a store with Origin EXTERNAL", "{\"Origin\":\"EXTERNAL\"," + Store + "}", "UnsupportedOperationException",
            "CustomKeyStoreId is valid only for KMS keys with an Origin of AWS_CLOUDHSM or EXTERNAL_KEY_STORE, not EXTERNAL." },
        { "an external key in a CloudHSM store", "{\"Origin\":\"AWS_CLOUDHSM\"," + Store + ",\"XksKeyId\":\"key-1\"}", "UnsupportedOperationException",
            "XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE, not AWS_CLOUDHSM." },
        { "an asymmetric key in a store", "{\"Origin\":\"AWS_CLOUDHSM\"," + Store + ",\"KeySpec\":\"RSA_2048\",\"KeyUsage\":\"SIGN_VERIFY\"}",
            "UnsupportedOperationException", "KMS keys in a custom key store must have a KeySpec of SYMMETRIC_DEFAULT, not RSA_2048." },
        { "an HMAC key in a store", "{\"Origin\":\"EXTERNAL_KEY_STORE\"," + Store + ",\"XksKeyId\":\"key-1\",\"KeySpec\":\"HMAC_256\",\"KeyUsage\":\"GENERATE_VERIFY_MAC\"}",
            "UnsupportedOperationException", "KMS keys in a custom key store must have a KeySpec of SYMMETRIC_DEFAULT, not HMAC_256." },
        { "a multi-Region key in a store", "{\"Origin\":\"AWS_CLOUDHSM\"," + Store + ",\"MultiRegion\":true}",
            "UnsupportedOperationException", "You cannot create a multi-Region key in a custom key store." },
        { "an XksKeyId outside the pattern", "{\"Origin\":\"EXTERNAL_KEY_STORE\"," + Store + ",\"XksKeyId\":\"key/1\"}",
            "ValidationException", One(Constraint("key/1", "xksKeyId", "Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_.]+$")) },
    };

    [Theory]
    [MemberData(nameof(CreateKeyCases))]
    public async Task CreateKey_checks_its_custom_key_store_members_before_asking_the_store(string kind, string body, string type, string message)
    {
        var reply = await Raw.CallAsync(Endpoint, "TrentService.CreateKey", body);

        Assert.False(string.IsNullOrEmpty(kind));
        reply.AssertError(type, message);
    }
}
