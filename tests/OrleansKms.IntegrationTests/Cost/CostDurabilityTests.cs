using System.Text;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService.Model;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using OrleansKms.Gateway.Cost;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cost;

/// <summary>Request counts in the Region's Azure table (Azurite): a clean stop writes what is counted, and a restart bills it.</summary>
public sealed class CostDurabilityTests(SharedAzurite azurite)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Counts_survive_a_clean_restart_and_add_up_across_processes()
    {
        var (serviceId, rootKey) = azurite.NewService("cost");
        var table = "kmsusage" + Guid.NewGuid().ToString("N")[..16];
        KmsServerOptions Options()
        {
            var options = azurite.Options(serviceId, rootKey);
            // No timed flush: only the stop (or a bill) can write these counts.
            options.ConfigureServices = s => s.Configure<KmsCostOptions>(o =>
            {
                o.TableName = table;
                o.FlushInterval = TimeSpan.FromHours(1);
            });
            return options;
        }

        string keyArn;
        await using (var server = await KmsServer.StartAsync(Options(), Cancel))
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            keyArn = (await kms.CreateKeyAsync(new CreateKeyRequest(), Cancel)).KeyMetadata.Arn;
            for (var i = 0; i < 7; i++) await EncryptAsync(kms, keyArn, i);
        }

        // Straight from the table, before any server runs again: one row per operation, this process's totals.
        var rows = new List<TableEntity>();
        await foreach (var row in new TableServiceClient(azurite.ConnectionString).GetTableClient(table).QueryAsync<TableEntity>(cancellationToken: Cancel))
            rows.Add(row);
        Assert.Equal([("CreateKey", 1L), ("Encrypt", 7L)], rows.Select(r => (r.GetString("Operation"), r.GetInt64("Count") ?? 0)).Order());
        Assert.All(rows, r => Assert.Equal(keyArn, r.GetString("Key")));

        await using (var again = await KmsServer.StartAsync(Options(), Cancel))
        {
            var kms = SdkClients.Create(again.Endpoint, "us-east-1", "test", "test");
            for (var i = 0; i < 2; i++) await EncryptAsync(kms, keyArn, i);

            var run = await CostProcess.KmsAsync(again.Endpoint, "test", "test", "cost", "--output", "json", "--by", "operation");
            Assert.True(run.Code == 0, run.Error);
            var bill = JsonNode.Parse(run.Output)!;
            var requests = Assert.Single(bill["lines"]!.AsArray(), l => l!["priceClass"]?.GetValue<string>() == "symmetric")!;
            Assert.Equal(10, requests["quantity"]!.GetValue<long>()); // 8 before the restart, 2 after (two writers' rows)
            Assert.Equal(10, requests["freeRequests"]!.GetValue<long>());
            var groups = bill["breakdown"]!.AsArray().ToDictionary(g => g!["group"]!.GetValue<string>(), g => g!["requests"]!.GetValue<long>());
            Assert.Equal(9, groups["Encrypt"]);
            Assert.Equal(1, groups["CreateKey"]);
            Assert.Contains(bill["lines"]!.AsArray(), l => l!["item"]!.GetValue<string>() == "Key storage");
        }
    }

    private static Task EncryptAsync(Amazon.KeyManagementService.AmazonKeyManagementServiceClient kms, string key, int i) =>
        kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream(Encoding.UTF8.GetBytes($"m{i}")) }, Cancel);
}
