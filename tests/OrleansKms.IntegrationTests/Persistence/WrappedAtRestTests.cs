using System.Text;
using Amazon.KeyManagementService.Model;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansKms.Grains;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// A dump of the storage account reveals no key: the key material is in storage only wrapped under the root key.
/// The test takes the real material from the running silo and searches every table entity, every blob, the storage
/// journal and every file of the data directory for it, raw, base64 and hex.
/// </summary>
public sealed class WrappedAtRestTests(SharedAzurite azurite)
{
    [Fact]
    public async Task Stored_rows_journal_and_files_never_contain_the_key_material_in_clear()
    {
        var cancel = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(Path.GetTempPath(), "kms-atrest-" + Guid.NewGuid().ToString("N"));
        byte[] material;
        await using (var server = await KmsServer.StartAsync(new KmsServerOptions
        {
            Port = 0,
            DataDirectory = dataDirectory,
            SiloPort = TestPorts.Free(),
            SiloGatewayPort = TestPorts.Free(),
            LogLevel = LogLevel.Warning,
        }, cancel))
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            var key = (await kms.CreateKeyAsync(new CreateKeyRequest(), cancel)).KeyMetadata;
            await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1]) }, cancel);
            var cached = await server.Services.GetRequiredService<KeySnapshotCache>().GetAsync(new KeyArn("us-east-1", "000000000000", key.KeyId));
            material = cached.Symmetric!.Current.Material.Expose().ToArray();

            var stored = await DumpStorageAsync(server.StorageConnectionString!);
            var keyIdBytes = Encoding.UTF8.GetBytes(key.KeyId);
            Assert.True(stored.Any(s => s.Bytes.AsSpan().IndexOf(keyIdBytes) >= 0), "the key's state is in storage");
            foreach (var (where, bytes) in stored) AssertNoMaterial(material, bytes, where);

            // The storage journal holds the same rows (wrapped material): it is on disk while the service runs.
            var journal = Directory.GetFiles(Path.Combine(dataDirectory, "journal"));
            Assert.Contains(journal, f => File.ReadAllBytes(f).AsSpan().IndexOf(keyIdBytes) >= 0);
            foreach (var file in journal) AssertNoMaterial(material, await File.ReadAllBytesAsync(file, cancel), file);
        }

        foreach (var file in Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories))
            AssertNoMaterial(material, await File.ReadAllBytesAsync(file, cancel), file);
        Directory.Delete(dataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_deleted_key_leaves_no_trace_of_its_material_in_storage()
    {
        var cancel = TestContext.Current.CancellationToken;
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var (serviceId, rootKeyFile) = azurite.NewService("purge");
        var options = azurite.Options(serviceId, rootKeyFile);
        options.ConfigureServices = s => s.AddKeyedSingleton<TimeProvider>(KmsTime.ServiceKey, clock);
        await using var server = await KmsServer.StartAsync(options, cancel);
        var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest(), cancel)).KeyMetadata.KeyId;
        await kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId }, cancel);
        var key = server.Services.GetRequiredService<IGrainFactory>().GetGrain<IKeyGrain>(new KeyArn("us-east-1", "000000000000", keyId).Value);
        var wrapped = (await key.GetSnapshotAsync()).Materials.Select(m => m.Wrapped).ToList();
        Assert.Equal(2, wrapped.Count);
        var before = await DumpStorageAsync(azurite.ConnectionString);
        Assert.All(wrapped, w => Assert.Contains(before, s => ContainsAnyForm(s.Bytes, w)));

        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 }, cancel);
        clock.Advance(TimeSpan.FromDays(7));
        await key.RunDueWorkAsync();

        var stored = await DumpStorageAsync(azurite.ConnectionString);
        foreach (var w in wrapped)
            Assert.DoesNotContain(stored, s => ContainsAnyForm(s.Bytes, w));
    }

    [Fact]
    public async Task A_multi_Region_key_is_in_clear_in_neither_Regions_storage_and_each_Region_wraps_it_under_its_own_root_key()
    {
        var cancel = TestContext.Current.CancellationToken;
        var (serviceId, rootKeyFile) = azurite.NewService("mrk-atrest");
        await using var server = await KmsServer.StartAsync(azurite.Options(serviceId, rootKeyFile), cancel);
        var east = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
        var west = SdkClients.Create(server.Endpoint, "eu-west-1", "test", "test");
        var keyId = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true }, cancel)).KeyMetadata.KeyId;
        await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = keyId, ReplicaRegion = "eu-west-1" }, cancel);
        await Compatibility.Replication.ReplicaEnabledAsync(west, keyId);

        var eastCache = await server.RegionServices("us-east-1").GetRequiredService<KeySnapshotCache>().GetAsync(new KeyArn("us-east-1", "000000000000", keyId));
        var westCache = await server.RegionServices("eu-west-1").GetRequiredService<KeySnapshotCache>().GetAsync(new KeyArn("eu-west-1", "000000000000", keyId));
        var material = eastCache.Symmetric!.Current.Material.Expose().ToArray();
        Assert.Equal(material, westCache.Symmetric!.Current.Material.Expose().ToArray());
        var eastWrapped = (await server.RegionServices("us-east-1").GetRequiredService<IGrainFactory>()
            .GetGrain<IKeyGrain>(new KeyArn("us-east-1", "000000000000", keyId).Value).GetSnapshotAsync()).Materials[0].Wrapped;
        var westWrapped = (await server.RegionServices("eu-west-1").GetRequiredService<IGrainFactory>()
            .GetGrain<IKeyGrain>(new KeyArn("eu-west-1", "000000000000", keyId).Value).GetSnapshotAsync()).Materials[0].Wrapped;

        var stored = await DumpStorageAsync(azurite.ConnectionString);
        Assert.Contains(stored, s => s.Where.StartsWith("table kmskeyseuwest1 ", StringComparison.Ordinal) && ContainsAnyForm(s.Bytes, westWrapped));
        Assert.Contains(stored, s => s.Where.StartsWith("table kmskeys ", StringComparison.Ordinal) && ContainsAnyForm(s.Bytes, eastWrapped));
        Assert.NotEqual(eastWrapped, westWrapped);
        foreach (var (where, bytes) in stored) AssertNoMaterial(material, bytes, where);
        Assert.NotEqual(await File.ReadAllTextAsync(rootKeyFile, cancel),
            await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(rootKeyFile)!, "root-eu-west-1.key"), cancel));
    }

    private static void AssertNoMaterial(byte[] material, byte[] haystack, string where) =>
        Assert.False(ContainsAnyForm(haystack, material), $"key material found in clear in {where}");

    /// <summary>Whether <paramref name="haystack"/> holds <paramref name="needle"/> raw, as base64 or as hex.</summary>
    private static bool ContainsAnyForm(byte[] haystack, byte[] needle)
    {
        var forms = new[]
        {
            needle,
            Encoding.UTF8.GetBytes(Convert.ToBase64String(needle)),
            Encoding.UTF8.GetBytes(Convert.ToHexStringLower(needle)),
            Encoding.UTF8.GetBytes(Convert.ToHexString(needle)),
        };
        return forms.Any(form => haystack.AsSpan().IndexOf(form) >= 0);
    }

    private static async Task<List<(string Where, byte[] Bytes)>> DumpStorageAsync(string connectionString)
    {
        var result = new List<(string, byte[])>();
        var tables = new TableServiceClient(connectionString);
        await foreach (var table in tables.QueryAsync())
        {
            await foreach (var entity in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                foreach (var (name, value) in entity)
                {
                    var bytes = value switch
                    {
                        byte[] b => b,
                        BinaryData d => d.ToArray(),
                        string s => Encoding.UTF8.GetBytes(s),
                        _ => Encoding.UTF8.GetBytes(value?.ToString() ?? ""),
                    };
                    result.Add(($"table {table.Name} row {entity.PartitionKey}/{entity.RowKey} property {name}", bytes));
                }
            }
        }

        var blobs = new BlobServiceClient(connectionString);
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            var client = blobs.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync())
            {
                var content = await client.GetBlobClient(blob.Name).DownloadContentAsync();
                result.Add(($"blob {container.Name}/{blob.Name}", content.Value.Content.ToArray()));
            }
        }

        return result;
    }
}
