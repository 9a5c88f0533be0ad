using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Logging;
using OrleansKms.Hosting;
using OrleansKms.Hosting.Azurite;
using OrleansKms.Hosting.Durability;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// The service as `dotnet run --project silo` runs it: Azurite started by the service, data in the data directory.
/// Everything stops (silo, gateway and Azurite) and starts again on the same directory.
/// </summary>
public sealed class AzuriteRestartTests : IAsyncDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "kms-restart-" + Guid.NewGuid().ToString("N"));

    private Task<KmsServer> StartAsync(long? azuriteFullAt = null) => KmsServer.StartAsync(new KmsServerOptions
    {
        AzuriteFullAt = azuriteFullAt ?? AzuriteCapacityGate.DefaultFullAt,
        Port = 0,
        Storage = KmsStorageMode.Azurite,
        DataDirectory = _dataDirectory,
        SiloPort = TestPorts.Free(),
        SiloGatewayPort = TestPorts.Free(),
        LogLevel = LogLevel.Warning,
    }, TestContext.Current.CancellationToken);

    private static AmazonKeyManagementServiceClient Client(KmsServer server) => SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");

    [Fact]
    public async Task Keys_states_and_ciphertexts_survive_a_full_stop_and_start()
    {
        string enabledKey, disabledKey;
        byte[] ciphertext;
        var plaintext = Encoding.UTF8.GetBytes("kept across restarts");
        await using (var server = await StartAsync())
        {
            var kms = Client(server);
            enabledKey = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "survivor" })).KeyMetadata.KeyId;
            disabledKey = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            await kms.DisableKeyAsync(new DisableKeyRequest { KeyId = disabledKey });
            ciphertext = (await kms.EncryptAsync(new EncryptRequest
            {
                KeyId = enabledKey,
                Plaintext = new MemoryStream(plaintext),
                EncryptionContext = new Dictionary<string, string> { ["app"] = "restart" },
            })).CiphertextBlob.ToArray();
        }

        await using (var server = await StartAsync())
        {
            var kms = Client(server);
            var decrypted = await kms.DecryptAsync(new DecryptRequest
            {
                CiphertextBlob = new MemoryStream(ciphertext),
                EncryptionContext = new Dictionary<string, string> { ["app"] = "restart" },
            });
            Assert.Equal(plaintext, decrypted.Plaintext.ToArray());

            var described = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = enabledKey })).KeyMetadata;
            Assert.Equal("survivor", described.Description);
            Assert.Equal(KeyState.Enabled, described.KeyState);
            Assert.Equal(KeyState.Disabled, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = disabledKey })).KeyMetadata.KeyState);
            await Assert.ThrowsAsync<DisabledException>(() => kms.EncryptAsync(new EncryptRequest { KeyId = disabledKey, Plaintext = new MemoryStream([1]) }));

            var listed = (await kms.ListKeysAsync(new ListKeysRequest())).Keys.Select(k => k.KeyId).ToList();
            Assert.Contains(enabledKey, listed);
            Assert.Contains(disabledKey, listed);
        }
    }

    [Fact]
    public async Task A_full_Azurite_store_refuses_new_keys_aliases_and_grants_with_LimitExceededException_and_serves_the_rest()
    {
        string keyId;
        byte[] ciphertext;
        await using (var server = await StartAsync())
        {
            var kms = Client(server);
            keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/before-full", TargetKeyId = keyId });
            ciphertext = (await kms.EncryptAsync(new EncryptRequest { KeyId = "alias/before-full", Plaintext = new MemoryStream([1, 2, 3]) }))
                .CiphertextBlob.ToArray();
        }

        // Azurite saved its tables at the stop, so they are over one byte: the store counts as full.
        await using (var server = await StartAsync(azuriteFullAt: 1))
        {
            var kms = Client(server);
            var refused = await Assert.ThrowsAsync<Amazon.KeyManagementService.Model.LimitExceededException>(() => kms.CreateKeyAsync(new CreateKeyRequest()));
            Assert.Contains("Azurite store is full", refused.Message);
            await Assert.ThrowsAsync<Amazon.KeyManagementService.Model.LimitExceededException>(() =>
                kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/after-full", TargetKeyId = keyId }));
            await Assert.ThrowsAsync<Amazon.KeyManagementService.Model.LimitExceededException>(() => kms.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = keyId,
                GranteePrincipal = "arn:aws:iam::000000000000:role/app",
                Operations = ["Decrypt"],
            }));

            // What is there keeps working, and space can be freed.
            var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) });
            Assert.Equal(new byte[] { 1, 2, 3 }, decrypted.Plaintext.ToArray());
            await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([4]) });
            Assert.Equal([keyId], (await kms.ListKeysAsync(new ListKeysRequest())).Keys.Select(k => k.KeyId));
            await kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = "alias/before-full" });
            await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });
        }
    }

    public ValueTask DisposeAsync()
    {
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
