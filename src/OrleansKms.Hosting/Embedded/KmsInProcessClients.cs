using Amazon;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway;

namespace OrleansKms.Hosting.Embedded;

/// <summary>
/// Makes AWS SDK KMS clients (<see cref="IAmazonKeyManagementService"/>) that call the KMS of this process: each
/// request is signed by the SDK as usual and answered by the gateway's pipeline in-process, with no socket and no
/// HTTP round trip. Use it for an identity other than the one of the registered <see cref="IAmazonKeyManagementService"/>.
/// </summary>
public sealed class KmsInProcessClients
{
    private readonly InProcessHttpClientFactory _http;
    private readonly string _gatewayRegion;

    public KmsInProcessClients(KmsGatewayEndpoint gateway, IOptions<KmsGatewayOptions> gatewayOptions)
    {
        _http = new InProcessHttpClientFactory(new InProcessKmsHandler(gateway));
        _gatewayRegion = gatewayOptions.Value.Region;
    }

    /// <summary>
    /// A client that signs with <paramref name="credentials"/> for <paramref name="region"/> (default the in-process
    /// gateway's Region). Errors are the SDK's own exceptions (<c>NotFoundException</c>, <c>AccessDeniedException</c>, ...).
    /// </summary>
    public IAmazonKeyManagementService Create(AWSCredentials credentials, string? region = null, Action<AmazonKeyManagementServiceConfig>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var config = new AmazonKeyManagementServiceConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(region ?? _gatewayRegion) };
        configure?.Invoke(config);
        // Whatever the caller configured: the requests go to this process, never to an endpoint from the environment.
        config.HttpClientFactory = _http;
        config.IgnoreConfiguredEndpointUrls = true;
        return new AmazonKeyManagementServiceClient(credentials, config);
    }

    /// <summary>HttpClients over the in-process handler; the SDK's shared HttpClient cache is bypassed (it is per process, not per host).</summary>
    private sealed class InProcessHttpClientFactory(InProcessKmsHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
            new(handler, disposeHandler: false) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100) };

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

        public override string GetConfigUniqueString(IClientConfig clientConfig) => "orleans-kms-in-process";
    }
}
