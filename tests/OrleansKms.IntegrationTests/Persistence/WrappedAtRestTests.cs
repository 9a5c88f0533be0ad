using System.Text;
using Amazon.KeyManagementService.Model;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansKms.Grains;
using OrleansKms.Hosting;
using OrleansKms.Hosting.Azurite;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// A dump of the storage account reveals no key: the key material is in storage only wrapped under the root key.
/// The test takes the real material from the running silo and searches every table entity, every blob and every
/// file Azurite wrote for it, raw, base64 and hex.
/// </summary>
public sealed class WrappedAtRestTests
{
    [Fact]
    public async Task Stored_rows_blobs_and_files_never_contain_the_key_material_in_clear()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "kms-atrest-" + Guid.NewGuid().ToString("N"));
        var logger = LoggerFactory.Create(_ => { }).CreateLogger("test");
        var azurite = await AzuriteProcess.StartAsync(Path.Combine(dataDirectory, "azurite"), logger, TestContext.Current.CancellationToken);
        byte[] material;
        string keyId;
        await using (azurite)
        {
            await using (var server = await KmsServer.StartAsync(new KmsServerOptions
            {
                Port = 0,
                StorageConnectionString = azurite.ConnectionString,
                DataDirectory = dataDirectory,
                SiloPort = AzuriteProcess.FreePort(),
                SiloGatewayPort = AzuriteProcess.FreePort(),
                LogLevel = LogLevel.Warning,
            }, TestContext.Current.CancellationToken))
            {
                var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
                var key = (await kms.CreateKeyAsync(new CreateKeyRequest(), TestContext.Current.CancellationToken)).KeyMetadata;
                keyId = key.KeyId;
                await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1]) }, TestContext.Current.CancellationToken);
                var cached = await server.Services.GetRequiredService<KeySnapshotCache>().GetAsync(new KeyArn("us-east-1", "000000000000", keyId));
                material = cached.Symmetric!.Current.Material.Expose().ToArray();
            }

            var stored = await DumpStorageAsync(azurite.ConnectionString);
            var keyIdBytes = Encoding.UTF8.GetBytes(keyId);
            Assert.True(stored.Any(s => s.Bytes.AsSpan().IndexOf(keyIdBytes) >= 0), "the key's state is in storage");
            foreach (var (where, bytes) in stored) AssertNoMaterial(material, bytes, where);
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(dataDirectory, "azurite"), "*", SearchOption.AllDirectories))
            AssertNoMaterial(material, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken), file);
        Directory.Delete(dataDirectory, recursive: true);
    }

    private static void AssertNoMaterial(byte[] material, byte[] haystack, string where)
    {
        var forms = new[]
        {
            material,
            Encoding.UTF8.GetBytes(Convert.ToBase64String(material)),
            Encoding.UTF8.GetBytes(Convert.ToHexStringLower(material)),
            Encoding.UTF8.GetBytes(Convert.ToHexString(material)),
        };
        foreach (var form in forms) Assert.True(haystack.AsSpan().IndexOf(form) < 0, $"key material found in clear in {where}");
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
