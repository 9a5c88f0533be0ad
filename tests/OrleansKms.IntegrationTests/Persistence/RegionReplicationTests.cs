using System.Net;
using System.Security.Cryptography;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Logging;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Compatibility;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// The outbox of a multi-Region key survives restarts of either side (on Azure Storage, the run's shared Azurite),
/// and Regions served by different processes replicate over authenticated Region links.
/// </summary>
public sealed class RegionReplicationTests(SharedAzurite azurite)
{
    private readonly (string ServiceId, string RootKeyFile) _service = azurite.NewService("replication");

    private Task<KmsServer> StartAsync() =>
        KmsServer.StartAsync(azurite.Options(_service.ServiceId, _service.RootKeyFile), TestContext.Current.CancellationToken);

    private static Task<int?> PeriodIn(Amazon.KeyManagementService.IAmazonKeyManagementService kms, string keyId) =>
        kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId }).ContinueWith(t => t.Result.RotationPeriodInDays);

    [Fact]
    public async Task A_replica_created_and_changed_while_its_Region_was_down_arrives_after_the_primary_side_restarts()
    {
        string keyId;
        byte[] ciphertext;
        await using (var server = await StartAsync())
        {
            var east = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            keyId = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata.KeyId;
            ciphertext = await east.EncryptAsync(keyId, [7, 7]);
            await server.RegionControl.StopAsync("eu-west-1");
            var replicated = await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = keyId, ReplicaRegion = "eu-west-1", Description = "queued" });
            await east.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 222 });
            Assert.Equal(Amazon.KeyManagementService.KeyState.Creating, replicated.ReplicaKeyMetadata.KeyState);
        }

        await using (var server = await StartAsync())
        {
            var east = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            var west = SdkClients.Create(server.Endpoint, "eu-west-1", "test", "test");
            await east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }); // wakes the primary: its outbox resumes
            await Replication.ReplicaEnabledAsync(west, keyId);
            await Replication.WaitUntilAsync(async () => await PeriodIn(west, keyId) == 222, "the queued rotation period arriving");
            Assert.Equal("queued", (await west.DescribeAsync(keyId)).Description);
            Assert.Equal([7, 7], await west.DecryptAsync(ciphertext));
        }
    }

    [Fact]
    public async Task A_rotation_made_while_the_replica_Region_is_stopped_arrives_when_it_starts_again()
    {
        await using var server = await StartAsync();
        var east = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
        var west = SdkClients.Create(server.Endpoint, "eu-west-1", "test", "test");
        var keyId = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata.KeyId;
        await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = keyId, ReplicaRegion = "eu-west-1" });
        await Replication.ReplicaEnabledAsync(west, keyId);

        await server.RegionControl.StopAsync("eu-west-1");
        await east.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });
        var rotated = await east.EncryptAsync(keyId, [4, 2]);
        await Assert.ThrowsAnyAsync<Exception>(() => west.ListKeysAsync(new ListKeysRequest()));
        await server.RegionControl.StartAsync("eu-west-1");

        await Replication.WaitUntilAsync(async () => (await west.DescribeAsync(keyId)).CurrentKeyMaterialId == (await east.DescribeAsync(keyId)).CurrentKeyMaterialId,
            "the rotation reaching the restarted replica Region");
        Assert.Equal([4, 2], await west.DecryptAsync(rotated));
    }

    [Fact]
    public async Task Regions_served_by_two_processes_replicate_over_links_authenticated_by_their_shared_secret()
    {
        var linkKey = Path.Combine(Path.GetTempPath(), "kms-link-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(linkKey, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var westPort = TestPorts.Free();
        await using var eastServer = await KmsServer.StartAsync(Separate("us-east-1", linkKey, ("eu-west-1", westPort)));
        var westOptions = Separate("eu-west-1", linkKey, ("us-east-1", eastServer.Endpoint.Port));
        westOptions.Port = westPort;
        await using var westServer = await KmsServer.StartAsync(westOptions);
        var east = SdkClients.Create(eastServer.Endpoint, "us-east-1", "test", "test");
        var west = SdkClients.Create(westServer.Endpoint, "eu-west-1", "test", "test");

        var keyId = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata.KeyId;
        var ciphertext = await east.EncryptAsync(keyId, [3, 1, 4]);
        await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = keyId, ReplicaRegion = "eu-west-1" });
        await Replication.ReplicaEnabledAsync(west, keyId);

        Assert.Equal([3, 1, 4], await west.DecryptAsync(ciphertext));
        using var http = new HttpClient();
        var forged = new HttpRequestMessage(HttpMethod.Post, new Uri(westServer.Endpoint, "/_kms/region-link/deliver"))
        {
            Content = new StringContent("{}"),
        };
        forged.Headers.Add("X-Kms-Link-Date", DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'"));
        forged.Headers.Add("X-Kms-Link-Signature", new string('0', 64));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(forged)).StatusCode);
    }

    /// <summary>A server of one Region (memory storage) that knows the other Region's server as a peer.</summary>
    private static KmsServerOptions Separate(string region, string linkKeyFile, (string Region, int Port) peer)
    {
        var options = new KmsServerOptions
        {
            Port = 0,
            Storage = KmsStorageMode.Memory,
            Region = region,
            Regions = [region],
            RegionLinkKeyFile = linkKeyFile,
            SiloPort = TestPorts.Free(),
            SiloGatewayPort = TestPorts.Free(),
            LogLevel = LogLevel.Warning,
        };
        options.RegionPeers[peer.Region] = new Uri($"http://127.0.0.1:{peer.Port}");
        return options;
    }
}
