using Amazon;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using OrleansKms.Hosting;
using OrleansKms.Hosting.Azurite;

namespace OrleansKms.IntegrationTests.Infrastructure;

/// <summary>
/// One KMS server (silo + gateway, memory storage) on free loopback ports, shared by a test collection, and
/// official AWS SDK clients pointed at it.
/// </summary>
public class KmsServerFixture : IAsyncLifetime
{
    public KmsServer Server { get; private set; } = null!;

    /// <summary>The region the server serves and the clients sign for.</summary>
    public virtual string Region => "us-east-1";

    public async ValueTask InitializeAsync()
    {
        var options = new KmsServerOptions
        {
            Port = 0,
            Region = Region,
            Storage = KmsStorageMode.Memory,
            SiloPort = TestPorts.Free(),
            SiloGatewayPort = TestPorts.Free(),
            DataDirectory = Path.Combine(Path.GetTempPath(), "kms-test-" + Guid.NewGuid().ToString("N")),
            LogLevel = LogLevel.Warning,
            // Dozens of servers run in the suite: they need not each generate RSA keys in the background
            // (RsaKeyPoolSdkTests turns the pool on).
            RsaKeyPool = new Grains.KeyPool.RsaKeyPoolOptions { Rsa2048 = 0, Rsa3072 = 0, Rsa4096 = 0 },
        };
        Configure(options);
        Server = await KmsServer.StartAsync(options);
    }

    /// <summary>What a derived fixture changes in the server's options.</summary>
    protected virtual void Configure(KmsServerOptions options)
    {
    }

    /// <summary>An AWS SDK client with the development credentials (or the ones given).</summary>
    public AmazonKeyManagementServiceClient Client(string accessKey = "test", string secretKey = "test") =>
        SdkClients.Create(Server.Endpoint, Region, accessKey, secretKey);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class KmsServerCollection : ICollectionFixture<KmsServerFixture>
{
    public const string Name = "kms-server";
}

/// <summary>AWS SDK clients as a user configures them for a local endpoint.</summary>
public static class SdkClients
{
    public static AmazonKeyManagementServiceClient Create(Uri endpoint, string region, string accessKey, string secretKey) =>
        new(new BasicAWSCredentials(accessKey, secretKey), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = endpoint.ToString().TrimEnd('/'),
            AuthenticationRegion = region,
            MaxErrorRetry = 0,
        });
}

/// <summary>A second server, in a China region (partition <c>aws-cn</c>), where AWS offers SM2 keys.</summary>
public sealed class ChinaRegionServerFixture : KmsServerFixture
{
    public override string Region => "cn-north-1";
}
