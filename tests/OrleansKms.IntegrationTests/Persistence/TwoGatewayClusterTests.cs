using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// Two servers (silo + gateway each) forming one cluster on one Azurite, as docker-compose runs them: a user
/// talking to either gateway sees the same keys, and a change through one gateway holds at once on the other.
/// </summary>
public sealed class TwoGatewayClusterTests(SharedAzurite azurite)
{
    [Fact]
    public async Task Both_gateways_serve_the_same_keys_and_a_disable_through_one_holds_at_once_on_the_other()
    {
        var cancel = TestContext.Current.CancellationToken;
        var (serviceId, rootKeyFile) = azurite.NewService("two-gateways");
        await using var first = await KmsServer.StartAsync(azurite.Options(serviceId, rootKeyFile), cancel);
        await using var second = await KmsServer.StartAsync(azurite.Options(serviceId, rootKeyFile), cancel);
        AmazonKeyManagementServiceClient a = SdkClients.Create(first.Endpoint, "us-east-1", "test", "test"),
            b = SdkClients.Create(second.Endpoint, "us-east-1", "test", "test");

        var key = (await a.CreateKeyAsync(new CreateKeyRequest(), cancel)).KeyMetadata;
        var blob = (await a.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([4, 2]) }, cancel)).CiphertextBlob.ToArray();
        Assert.Equal([4, 2], (await b.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }, cancel)).Plaintext.ToArray());
        Assert.Contains(key.KeyId, (await b.ListKeysAsync(new ListKeysRequest(), cancel)).Keys.Select(k => k.KeyId));

        await a.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId }, cancel);
        await Assert.ThrowsAsync<DisabledException>(() => b.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }, cancel));
        await b.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId }, cancel);
        Assert.Equal([4, 2], (await a.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }, cancel)).Plaintext.ToArray());
    }
}
