using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.KeyStores.Xks;

namespace OrleansKms.UnitTests.KeyStores;

/// <summary>The XKS proxy client against a fake proxy that checks every signature: the happy paths, signing, transport failures.</summary>
public sealed class XksProxyClientTests
{
    private readonly FakeTimeProvider _time = new(XksFakeProxy.Start);
    private readonly XksFakeProxy _proxy;
    private readonly XksProxyClient _client;

    public XksProxyClientTests()
    {
        _proxy = new XksFakeProxy(_time);
        _client = new XksProxyClient(new HttpClient(_proxy), _time);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Health_ok_returns_the_fleet_and_sends_only_the_health_metadata()
    {
        var health = await _client.GetHealthAsync(XksFakeProxy.Connection(), XksFakeProxy.Metadata("CreateCustomKeyStore"), Cancel);

        Assert.Equal(2, health.XksProxyFleetSize);
        Assert.Equal("OrleansKms tests", health.XksProxyVendor);
        Assert.Equal(["ACTIVE", "DEGRADED"], health.EkmFleetDetails.Select(e => e.HealthStatus));
        var (operation, body) = Assert.Single(_proxy.Received);
        Assert.Equal("health", operation);
        Assert.Equal("""{"requestMetadata":{"kmsRequestId":"4112f4d6-db54-4af4-ae30-c55a22a8dfae","kmsOperation":"CreateCustomKeyStore"}}""", body.ToJsonString());
    }

    [Fact]
    public async Task The_signature_is_the_one_botocore_computes_for_the_same_request()
    {
        // Expected values from botocore 1.43 (SigV4Auth, service kms-xks-proxy, us-east-2) for this exact request.
        HttpRequestMessage? sent = null;
        byte[] sentBody = [];
        var capture = new XksLambdaHandler(async request =>
        {
            sent = request;
            sentBody = await request.Content!.ReadAsByteArrayAsync();
            return XksFakeProxy.Answer(HttpStatusCode.OK, """{"xksProxyFleetSize":1,"xksProxyVendor":"v","xksProxyModel":"m","ekmVendor":"e","ekmFleetDetails":[{"id":"1","model":"m","healthStatus":"ACTIVE"}]}""");
        });
        var client = new XksProxyClient(new HttpClient(capture), _time);
        var connection = new XksProxyConnection(new Uri("http://127.0.0.1:8443"), "/example/kms/xks/v1", XksFakeProxy.AccessKeyId, XksFakeProxy.Secret, "us-east-2");

        await client.GetHealthAsync(connection, XksFakeProxy.Metadata("CreateCustomKeyStore"), Cancel);

        Assert.Equal(HttpMethod.Post, sent!.Method);
        Assert.Equal("http://127.0.0.1:8443/example/kms/xks/v1/health", sent.RequestUri!.ToString());
        Assert.Equal("""{"requestMetadata":{"kmsRequestId":"4112f4d6-db54-4af4-ae30-c55a22a8dfae","kmsOperation":"CreateCustomKeyStore"}}""", Encoding.UTF8.GetString(sentBody));
        Assert.Equal("application/json", sent.Content!.Headers.ContentType!.MediaType);
        Assert.Equal("20261130T123456Z", sent.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIA4GBY3I6JCE5M2HPMXKSA/20261130/us-east-2/kms-xks-proxy/aws4_request, SignedHeaders=host;x-amz-date, Signature=141ab9c9cd08b9c49d429c1a87c846b9b23ada7b80e221919d1f670ce40d1f81",
            sent.Headers.GetValues("Authorization").Single());
    }

    [Fact]
    public async Task Encrypt_then_decrypt_returns_the_plaintext_with_metadata_iv16_and_integrity_value()
    {
        _proxy.CiphertextMetadata = "key_version=1"u8.ToArray();
        _proxy.IvLength = 16;
        var plaintext = RandomNumberGenerator.GetBytes(100);
        byte[] aad = [1, 2, 3];
        var metadata = XksFakeProxy.Metadata("Encrypt");

        var ciphertext = await _client.EncryptAsync(XksFakeProxy.Connection(), XksFakeProxy.KeyId, plaintext, aad, metadata, Cancel);
        var back = await _client.DecryptAsync(XksFakeProxy.Connection(), XksFakeProxy.KeyId, ciphertext, aad, XksFakeProxy.Metadata("Decrypt"), Cancel);

        Assert.Equal(plaintext, back);
        Assert.Equal(16, ciphertext.InitializationVector.Length);
        Assert.Equal("key_version=1"u8.ToArray(), ciphertext.CiphertextMetadata);
        var encrypt = _proxy.Received[0].Body;
        Assert.Equal("SHA_256", (string?)encrypt["ciphertextDataIntegrityValueAlgorithm"]);
        Assert.Equal("AES_GCM", (string?)encrypt["encryptionAlgorithm"]);
        Assert.Equal("AQID", (string?)encrypt["additionalAuthenticatedData"]);
        Assert.Equal(metadata.KmsKeyArn, (string?)encrypt["requestMetadata"]!["kmsKeyArn"]);
        Assert.Equal("a2V5X3ZlcnNpb249MQ==", (string?)_proxy.Received[1].Body["ciphertextMetadata"]);
    }

    [Fact]
    public async Task Key_metadata_is_read_and_checked_for_use_by_kms()
    {
        var metadata = await _client.GetKeyMetadataAsync(XksFakeProxy.Connection(), XksFakeProxy.KeyId, XksFakeProxy.Metadata("CreateKey"), Cancel);

        Assert.Equal(new XksKeyMetadata("AES_256", ["ENCRYPT", "DECRYPT"], "ENABLED").KeySpec, metadata.KeySpec);
        Assert.Equal(["ENCRYPT", "DECRYPT"], metadata.KeyUsage);
        metadata.EnsureUsableByKms();
        var disabled = Assert.Throws<KmsException>(() => (metadata with { KeyStatus = "DISABLED", KeyUsage = ["ENCRYPT"] }).EnsureUsableByKms());
        Assert.Equal(KmsErrorCode.XksKeyInvalidConfigurationException, disabled.Code);
        Assert.Contains("DISABLED", disabled.Message);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_by_the_proxy_as_incorrect_credentials()
    {
        var wrong = XksFakeProxy.Connection(secret: new string('A', 43));

        var create = await Assert.ThrowsAsync<KmsException>(() => _client.GetHealthAsync(wrong, XksFakeProxy.Metadata("CreateCustomKeyStore"), Cancel));
        var encrypt = await Assert.ThrowsAsync<KmsException>(() =>
            _client.EncryptAsync(wrong, XksFakeProxy.KeyId, [1], [], XksFakeProxy.Metadata("Encrypt"), Cancel));

        Assert.Equal(KmsErrorCode.XksProxyIncorrectAuthenticationCredentialException, create.Code);
        Assert.StartsWith("The external key store proxy rejected the request because it could not authenticate AWS KMS.", create.Message);
        Assert.Equal(KmsErrorCode.KMSInvalidStateException, encrypt.Code);
        Assert.Equal(create.Message, encrypt.Message);
        Assert.True(XksErrors.TryGetFailure(create, out var failure));
        Assert.Equal("INVALID_CREDENTIALS", XksErrors.ConnectionErrorCode(failure));
    }

    [Fact]
    public async Task A_closed_port_is_unreachable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var connection = XksProxyConnection.Validate("PUBLIC_ENDPOINT", $"http://127.0.0.1:{port}", XksFakeProxy.UriPath,
            XksFakeProxy.AccessKeyId, XksFakeProxy.Secret, XksFakeProxy.Region);
        using var http = new HttpClient();
        var client = new XksProxyClient(http, TimeProvider.System);

        var e = await Assert.ThrowsAsync<KmsException>(() => client.GetHealthAsync(connection, XksFakeProxy.Metadata("CreateCustomKeyStore"), Cancel));

        Assert.Equal(KmsErrorCode.XksProxyUriUnreachableException, e.Code);
        Assert.StartsWith("AWS KMS cannot communicate with the external key store proxy.", e.Message);
        Assert.True(XksErrors.TryGetFailure(e, out var failure));
        Assert.Equal("XKS_PROXY_NOT_REACHABLE", XksErrors.ConnectionErrorCode(failure));
    }

    [Fact]
    public async Task No_answer_within_the_timeout_is_a_timeout_and_not_a_moment_earlier()
    {
        _proxy.Hang = true;
        var client = new XksProxyClient(new HttpClient(_proxy), _time, new XksProxyClientOptions { Timeout = TimeSpan.FromMilliseconds(250) });
        var call = client.GetHealthAsync(XksFakeProxy.Connection(), XksFakeProxy.Metadata("ConnectCustomKeyStore"), Cancel);
        await _proxy.RequestArrived.Task;

        _time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.False(call.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var e = await Assert.ThrowsAsync<KmsException>(() => call);
        Assert.Equal(KmsErrorCode.XksProxyUriUnreachableException, e.Code);
        Assert.StartsWith("AWS KMS rejected the request because the external key store proxy did not respond in time.", e.Message);
        Assert.True(XksErrors.TryGetFailure(e, out var failure));
        Assert.Equal("XKS_PROXY_TIMED_OUT", XksErrors.ConnectionErrorCode(failure));
    }

    [Fact]
    public async Task A_timeout_in_a_cryptographic_operation_is_KMSInvalidState()
    {
        _proxy.Hang = true;
        var call = _client.EncryptAsync(XksFakeProxy.Connection(), XksFakeProxy.KeyId, [1, 2], [], XksFakeProxy.Metadata("GenerateDataKey"), Cancel);
        await _proxy.RequestArrived.Task;
        _time.Advance(new XksProxyClientOptions().Timeout);

        var e = await Assert.ThrowsAsync<KmsException>(() => call);
        Assert.Equal(KmsErrorCode.KMSInvalidStateException, e.Code);
        Assert.Contains("did not respond in time", e.Message);
    }

    [Fact]
    public async Task The_callers_cancellation_is_a_cancellation_not_a_proxy_failure()
    {
        _proxy.Hang = true;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var call = _client.GetHealthAsync(XksFakeProxy.Connection(), XksFakeProxy.Metadata(XksRequestMetadata.PeriodicHealthCheck), cts.Token);
        await _proxy.RequestArrived.Task;

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, KmsErrorCode.XksProxyUriUnreachableException, "XKS_PROXY_NOT_REACHABLE")]
    [InlineData(HttpRequestError.NameResolutionError, KmsErrorCode.XksProxyUriUnreachableException, "XKS_PROXY_NOT_REACHABLE")]
    [InlineData(HttpRequestError.SecureConnectionError, KmsErrorCode.XksProxyUriUnreachableException, "XKS_PROXY_INVALID_TLS_CONFIGURATION")]
    [InlineData(HttpRequestError.ResponseEnded, KmsErrorCode.XksProxyInvalidResponseException, "XKS_PROXY_INVALID_RESPONSE")]
    [InlineData(HttpRequestError.InvalidResponse, KmsErrorCode.XksProxyInvalidResponseException, "XKS_PROXY_INVALID_RESPONSE")]
    public async Task Transport_failures_map_to_the_key_store_errors(HttpRequestError error, KmsErrorCode expected, string connectionErrorCode)
    {
        var failing = new XksLambdaHandler(_ => throw new HttpRequestException(error, "transport failure"));
        var client = new XksProxyClient(new HttpClient(failing), _time);

        var e = await Assert.ThrowsAsync<KmsException>(() => client.GetHealthAsync(XksFakeProxy.Connection(), XksFakeProxy.Metadata("UpdateCustomKeyStore"), Cancel));

        Assert.Equal(expected, e.Code);
        Assert.True(XksErrors.TryGetFailure(e, out var failure));
        Assert.Equal(connectionErrorCode, XksErrors.ConnectionErrorCode(failure));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("key id")]
    [InlineData("")]
    public async Task An_external_key_id_outside_the_pattern_is_refused_without_a_call(string keyId)
    {
        var e = await Assert.ThrowsAsync<KmsException>(() =>
            _client.GetKeyMetadataAsync(XksFakeProxy.Connection(), keyId, XksFakeProxy.Metadata("CreateKey"), Cancel));

        Assert.Equal(KmsErrorCode.ValidationException, e.Code);
        Assert.Empty(_proxy.Received);
    }

    [Fact]
    public async Task Encrypt_needs_the_key_arn_in_its_metadata()
    {
        var incomplete = XksFakeProxy.Metadata("Encrypt") with { KmsKeyArn = null };

        await Assert.ThrowsAsync<ArgumentException>(() =>
            _client.EncryptAsync(XksFakeProxy.Connection(), XksFakeProxy.KeyId, [1], [], incomplete, Cancel));
        Assert.Empty(_proxy.Received);
    }
}
