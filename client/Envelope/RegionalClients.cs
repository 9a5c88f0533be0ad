using Amazon.KeyManagementService;
using Amazon.Runtime;

namespace OrleansKms.Cli.Envelope;

/// <summary>
/// AWS SDK clients for the connection's endpoint, one per Region a key names (a KMS endpoint serves a Region per
/// signing scope; the multi-Region keys of a message may live in several).
/// </summary>
internal sealed class RegionalClients(ServiceConnection connection) : IDisposable
{
    private readonly Dictionary<string, AmazonKeyManagementServiceClient> _clients = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public IAmazonKeyManagementService For(string region)
    {
        lock (_lock)
        {
            if (!_clients.TryGetValue(region, out var client))
            {
                _clients[region] = client = new AmazonKeyManagementServiceClient(
                    new BasicAWSCredentials(connection.AccessKey, connection.SecretKey),
                    new AmazonKeyManagementServiceConfig
                    {
                        ServiceURL = connection.Endpoint.ToString().TrimEnd('/'),
                        AuthenticationRegion = region,
                        MaxErrorRetry = 1,
                        Timeout = TimeSpan.FromSeconds(30),
                    });
            }

            return client;
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
    }
}
