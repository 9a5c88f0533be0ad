using OrleansKms.KeyStores.Xks;

namespace OrleansKms.UnitTests.KeyStores;

/// <summary>The external key store settings of CreateCustomKeyStore, checked as AWS checks them (plus the loopback allowance).</summary>
public sealed class XksProxyConnectionTests
{
    private const string Path = "/tenant-7/kms/xks/v1";
    private const string AccessKey = XksFakeProxy.AccessKeyId;
    private const string Secret = XksFakeProxy.Secret;

    private static XksProxyConnection Validate(
        string? connectivity = "PUBLIC_ENDPOINT", string? endpoint = "https://xks.example.com", string? path = Path,
        string? accessKey = AccessKey, string? secret = Secret) =>
        XksProxyConnection.Validate(connectivity, endpoint, path, accessKey, secret, "eu-west-1");

    [Fact]
    public void A_public_https_endpoint_is_accepted_and_never_shows_its_secret()
    {
        var connection = Validate();

        Assert.Equal(new Uri("https://xks.example.com"), connection.UriEndpoint);
        Assert.Equal(Path, connection.UriPath);
        Assert.Equal("eu-west-1", connection.SigningRegion);
        Assert.Contains(AccessKey, connection.ToString());
        Assert.DoesNotContain(Secret, connection.ToString());
    }

    [Fact]
    public void Vpc_endpoint_service_connectivity_is_refused_as_unsupported()
    {
        var e = Assert.Throws<KmsException>(() => Validate(connectivity: "VPC_ENDPOINT_SERVICE"));

        Assert.Equal(KmsErrorCode.UnsupportedOperationException, e.Code);
        Assert.Contains("VPC_ENDPOINT_SERVICE is not supported", e.Message);
        Assert.Contains("PUBLIC_ENDPOINT", e.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("PRIVATE")]
    public void A_missing_or_unknown_connectivity_is_a_validation_error(string? connectivity)
    {
        var e = Assert.Throws<KmsException>(() => Validate(connectivity: connectivity));

        Assert.Equal(KmsErrorCode.ValidationException, e.Code);
        Assert.Contains("xksProxyConnectivity", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("http://xks.example.com")]
    [InlineData("http://10.0.0.5:8080")]
    [InlineData("http://127.0.0.2:8080")]
    [InlineData("https://xks.example.com:8443")]
    [InlineData("https://xks.example.com/kms")]
    [InlineData("https://xks.example.com\n")]
    [InlineData("ftp://xks.example.com")]
    public void An_endpoint_that_is_not_https_to_a_bare_host_is_refused(string endpoint)
    {
        var e = Assert.Throws<KmsException>(() => Validate(endpoint: endpoint));

        Assert.Equal(KmsErrorCode.ValidationException, e.Code);
        Assert.Contains("at 'xksProxyUriEndpoint' failed to satisfy constraint: Member must satisfy regular expression pattern: ^https://[a-zA-Z0-9.-]+$", e.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://localhost:5000")]
    [InlineData("http://[::1]:5000")]
    [InlineData("https://localhost:5443")]
    [InlineData("http://localhost")]
    public void A_loopback_endpoint_may_use_http_and_a_port_for_development(string endpoint)
    {
        var connection = Validate(endpoint: endpoint);

        Assert.True(connection.UriEndpoint.IsLoopback);
    }

    [Fact]
    public void A_loopback_endpoint_with_an_impossible_port_is_refused()
    {
        var e = Assert.Throws<KmsException>(() => Validate(endpoint: "http://127.0.0.1:99999"));

        Assert.Equal(KmsErrorCode.ValidationException, e.Code);
    }

    [Theory]
    [InlineData("/kms/xks/v1")]
    [InlineData("/a/b_c-d/kms/xks/v12")]
    public void Paths_of_the_model_pattern_are_accepted(string path) => Assert.Equal(path, Validate(path: path).UriPath);

    [Theory]
    [InlineData("/kms/xks/v1/")]
    [InlineData("kms/xks/v1/x")]
    [InlineData("/tenant/kms/xks/v1/keys")]
    [InlineData("/tenant.7/kms/xks/v1")]
    [InlineData("/kms/xks/v123")]
    [InlineData("/kms/xks/v١")]
    public void Paths_outside_the_model_pattern_are_refused(string path)
    {
        var e = Assert.Throws<KmsException>(() => Validate(path: path));

        Assert.Equal(KmsErrorCode.ValidationException, e.Code);
        Assert.Contains("at 'xksProxyUriPath' failed to satisfy constraint", e.Message);
    }

    [Theory]
    [InlineData("AKIA4GBY3I6JCE5M2HP", "Member must have length greater than or equal to 20")]
    [InlineData("AKIA4GBY3I6JCE5M2HPMXKSAAAAAAAA", "Member must have length less than or equal to 30")]
    [InlineData("akia4gby3i6jce5m2hpmxksa", "Member must satisfy regular expression pattern: ^[A-Z2-7]+$")]
    [InlineData("AKIA4GBY3I6JCE5M2HPMXKS1", "Member must satisfy regular expression pattern: ^[A-Z2-7]+$")]
    public void Access_key_ids_outside_the_model_are_refused_without_echoing_them(string accessKey, string constraint)
    {
        var e = Assert.Throws<KmsException>(() => Validate(accessKey: accessKey));

        Assert.Equal(KmsErrorCode.ValidationException, e.Code);
        Assert.Contains($"Value at 'xksProxyAuthenticationCredential.accessKeyId' failed to satisfy constraint: {constraint}", e.Message);
        Assert.DoesNotContain(accessKey, e.Message);
    }

    [Theory]
    [InlineData(42, 'a', "length greater than or equal to 43")]
    [InlineData(65, 'a', "length less than or equal to 64")]
    [InlineData(43, '-', "satisfy regular expression pattern")]
    public void Secrets_outside_the_model_are_refused_without_echoing_them(int length, char filler, string constraint)
    {
        var secret = "Zz9+/=" + new string(filler, length - 6);

        var e = Assert.Throws<KmsException>(() => Validate(secret: secret));

        Assert.Equal(KmsErrorCode.ValidationException, e.Code);
        Assert.Contains("Value at 'xksProxyAuthenticationCredential.rawSecretAccessKey' failed to satisfy constraint", e.Message);
        Assert.Contains(constraint, e.Message);
        Assert.DoesNotContain(secret, e.Message);
    }

    [Fact]
    public void Several_violations_are_reported_together()
    {
        var e = Assert.Throws<KmsException>(() => Validate(endpoint: "http://xks.example.com", path: "/nope", accessKey: "short"));

        Assert.StartsWith("3 validation errors detected: ", e.Message);
    }

    [Fact]
    public void Missing_settings_are_a_validation_error()
    {
        var e = Assert.Throws<KmsException>(() => Validate(endpoint: null));

        Assert.Equal(KmsErrorCode.ValidationException, e.Code);
        Assert.Contains("XksProxyUriEndpoint", e.Message);
    }
}
