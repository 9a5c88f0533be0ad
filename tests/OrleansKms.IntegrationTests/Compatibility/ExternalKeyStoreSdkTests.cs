using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Cli;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// External key stores through the AWS SDK against the project's reference XKS proxy (<c>kms xks-proxy</c>, backed by a
/// SoftHSM2 token) running in-process: the store is created and connected over the proxy's health check, a key is
/// bound to an external key, and its ciphertext is encrypted twice (this service's material, then the proxy's key).
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class ExternalKeyStoreSdkTests(KmsServerFixture fixture) : IClassFixture<XksProxyFixture>
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    private CreateCustomKeyStoreRequest StoreRequest(XksProxyFixture proxy, string? secret = null) => new()
    {
        CustomKeyStoreName = "xks-" + Guid.NewGuid().ToString("N"),
        CustomKeyStoreType = CustomKeyStoreType.EXTERNAL_KEY_STORE,
        XksProxyUriEndpoint = proxy.Require().Endpoint.ToString().TrimEnd('/'),
        XksProxyUriPath = proxy.Server.UriPath,
        XksProxyConnectivity = XksProxyConnectivityType.PUBLIC_ENDPOINT,
        XksProxyAuthenticationCredential = new XksProxyAuthenticationCredentialType
        {
            AccessKeyId = XksProxyFixture.Credential.AccessKeyId,
            RawSecretAccessKey = secret ?? XksProxyFixture.Credential.SecretAccessKey,
        },
    };

    [Fact]
    public async Task A_key_in_an_external_key_store_encrypts_twice_and_decrypts_through_the_proxy()
    {
        using var proxy = new XksProxyFixtureScope();
        var xks = await proxy.StartAsync();
        var storeId = (await _kms.CreateCustomKeyStoreAsync(StoreRequest(xks))).CustomKeyStoreId;
        await _kms.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = storeId });

        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest
        {
            Origin = OriginType.EXTERNAL_KEY_STORE, CustomKeyStoreId = storeId, XksKeyId = XksProxyFixture.KeyId,
        })).KeyMetadata;
        var context = new Dictionary<string, string> { ["tenant"] = "xks" };
        var ciphertext = await _kms.EncryptAsync(key.KeyId, "held outside"u8.ToArray(), context);

        var store = Assert.Single((await _kms.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest { CustomKeyStoreId = storeId })).CustomKeyStores);
        Assert.Equal(ConnectionStateType.CONNECTED, store.ConnectionState);
        Assert.Equal(xks.Server.UriPath, store.XksProxyConfiguration.UriPath);
        Assert.Equal((OriginType.EXTERNAL_KEY_STORE, storeId, XksProxyFixture.KeyId), (key.Origin, key.CustomKeyStoreId, key.XksKeyConfiguration.Id));
        Assert.Equal("held outside"u8.ToArray(), await _kms.DecryptAsync(ciphertext, context: context));
        await Sdk.Throws<InvalidCiphertextException>(() => _kms.DecryptAsync(ciphertext, context: new() { ["tenant"] = "other" }));
        await Sdk.Throws<XksKeyNotFoundException>(() => _kms.CreateKeyAsync(new CreateKeyRequest
        {
            Origin = OriginType.EXTERNAL_KEY_STORE, CustomKeyStoreId = storeId, XksKeyId = "no-such-external-key",
        }));
        await Sdk.Throws<XksKeyAlreadyInUseException>(() => _kms.CreateKeyAsync(new CreateKeyRequest
        {
            Origin = OriginType.EXTERNAL_KEY_STORE, CustomKeyStoreId = storeId, XksKeyId = XksProxyFixture.KeyId,
        }));

        await proxy.StopAsync();
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.EncryptAsync(key.KeyId, [1]));
    }

    [Fact]
    public async Task A_store_with_a_wrong_proxy_secret_is_refused_at_creation_and_an_unreachable_proxy_too()
    {
        using var proxy = new XksProxyFixtureScope();
        var xks = await proxy.StartAsync();

        await Sdk.Throws<XksProxyIncorrectAuthenticationCredentialException>(() =>
            _kms.CreateCustomKeyStoreAsync(StoreRequest(xks, secret: "WrongSecretWrongSecretWrongSecretWrongSecret=")));
        var unreachable = StoreRequest(xks);
        unreachable.XksProxyUriEndpoint = $"http://127.0.0.1:{TestPorts.Free()}";
        await Sdk.Throws<XksProxyUriUnreachableException>(() => _kms.CreateCustomKeyStoreAsync(unreachable));
        var vpc = StoreRequest(xks);
        vpc.XksProxyConnectivity = XksProxyConnectivityType.VPC_ENDPOINT_SERVICE;
        vpc.XksProxyVpcEndpointServiceName = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0";
        var e = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => _kms.CreateCustomKeyStoreAsync(vpc));
        Assert.Equal("UnsupportedOperationException", e.ErrorCode);
    }
}

/// <summary>A reference XKS proxy of one test's own (started and stopped by the test), on a new SoftHSM2 token.</summary>
internal sealed class XksProxyFixtureScope : IDisposable
{
    private XksProxyFixture? _fixture;

    public async Task<XksProxyFixture> StartAsync()
    {
        SoftHsmTestTokens.RequireInstalled();
        _fixture = new XksProxyFixture();
        await _fixture.InitializeAsync();
        return _fixture;
    }

    public async Task StopAsync()
    {
        if (_fixture is not null) await _fixture.DisposeAsync();
        _fixture = null;
    }

    public void Dispose() => StopAsync().GetAwaiter().GetResult();
}
