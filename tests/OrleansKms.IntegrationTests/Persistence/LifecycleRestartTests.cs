using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// Rotated material, rotation schedules and pending deletions survive a stop and start of the service (on the run's
/// shared Azurite); the
/// KMS clock (fake, carried across the restart) then moves past their dates.
/// </summary>
public sealed class LifecycleRestartTests(SharedAzurite azurite)
{
    private readonly (string ServiceId, string RootKeyFile) _service = azurite.NewService("lifecycle");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private Task<KmsServer> StartAsync()
    {
        var options = azurite.Options(_service.ServiceId, _service.RootKeyFile);
        options.ConfigureServices = s => s.AddKeyedSingleton<TimeProvider>(KmsTime.ServiceKey, _clock);
        return KmsServer.StartAsync(options, TestContext.Current.CancellationToken);
    }

    private static AmazonKeyManagementServiceClient Client(KmsServer server) => SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");

    private static Task RunDueWorkAsync(KmsServer server, string keyId) =>
        server.Services.GetRequiredService<IGrainFactory>().GetGrain<IKeyGrain>(new KeyArn("us-east-1", "000000000000", keyId).Value).RunDueWorkAsync();

    private static async Task<byte[]> DecryptAsync(AmazonKeyManagementServiceClient kms, byte[] blob) =>
        (await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray();

    /// <summary>The non-empty state rows of a key's grain whose row names <paramref name="state"/>.</summary>
    private async Task<List<Azure.Data.Tables.TableEntity>> RowsOfAsync(string keyId, string state)
    {
        var rows = new List<Azure.Data.Tables.TableEntity>();
        var table = new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString).GetTableClient("kmskeys");
        await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(cancellationToken: TestContext.Current.CancellationToken))
        {
            if (!(row.PartitionKey + row.RowKey).Contains(keyId, StringComparison.Ordinal) || !row.RowKey.Contains(state, StringComparison.OrdinalIgnoreCase)) continue;
            if (row.Keys.Any(k => k.StartsWith("State", StringComparison.Ordinal))) rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task Rotations_and_a_pending_deletion_survive_a_restart_and_fall_due_after_it()
    {
        string rotating, doomed;
        var blobs = new List<byte[]>();
        await using (var server = await StartAsync())
        {
            var kms = Client(server);
            rotating = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            doomed = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/rotating", TargetKeyId = rotating });
            await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = rotating, RotationPeriodInDays = 90 });
            blobs.Add((await kms.EncryptAsync(new EncryptRequest { KeyId = "alias/rotating", Plaintext = new MemoryStream([0]) })).CiphertextBlob.ToArray());
            await kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = rotating });
            blobs.Add((await kms.EncryptAsync(new EncryptRequest { KeyId = "alias/rotating", Plaintext = new MemoryStream([1]) })).CiphertextBlob.ToArray());
            await kms.EncryptAsync(new EncryptRequest { KeyId = doomed, Plaintext = new MemoryStream([9]) });
            await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = doomed, PendingWindowInDays = 7 });
        }

        // The clean stop reported the doomed key's last usage to it: its rows hold it.
        Assert.NotEmpty(await RowsOfAsync(doomed, "lastusage"));

        await using (var server = await StartAsync())
        {
            var kms = Client(server);
            Assert.Equal([0], await DecryptAsync(kms, blobs[0]));
            Assert.Equal([1], await DecryptAsync(kms, blobs[1]));
            Assert.Equal(KeyState.PendingDeletion, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = doomed })).KeyMetadata.KeyState);
            var status = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = rotating });
            Assert.True(status.KeyRotationEnabled);
            Assert.Equal(90, status.RotationPeriodInDays);

            _clock.Advance(TimeSpan.FromDays(90));
            await RunDueWorkAsync(server, rotating);
            await RunDueWorkAsync(server, doomed);
            blobs.Add((await kms.EncryptAsync(new EncryptRequest { KeyId = "alias/rotating", Plaintext = new MemoryStream([2]) })).CiphertextBlob.ToArray());

            var rotations = (await kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = rotating })).Rotations;
            Assert.Equal(["ON_DEMAND", "AUTOMATIC"], rotations.Select(r => r.RotationType.Value));
            await Assert.ThrowsAsync<NotFoundException>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = doomed }));
            Assert.DoesNotContain(doomed, (await kms.ListKeysAsync(new ListKeysRequest())).Keys.Select(k => k.KeyId));
        }

        // Its usage went with it.
        Assert.Empty(await RowsOfAsync(doomed, "lastusage"));

        await using (var server = await StartAsync())
        {
            var kms = Client(server);
            for (byte i = 0; i < blobs.Count; i++) Assert.Equal([i], await DecryptAsync(kms, blobs[i]));
            await Assert.ThrowsAsync<NotFoundException>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = doomed }));
        }

    }
}
