using Amazon.KeyManagementService.Model;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansKms.Hosting;
using OrleansKms.Hosting.Azurite;
using OrleansKms.Hosting.Durability;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// The journal holds every table write the silo's storage made, in a form that replays exactly: the journal of a
/// running service, replayed into an empty Azurite, gives the same rows (key state, catalogs, grants, aliases and
/// reminders) as the service's own Azurite holds.
/// </summary>
public sealed class JournalReplayTests : IAsyncDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "kms-replay-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Replaying_the_journal_into_an_empty_store_gives_the_same_rows()
    {
        var cancel = TestContext.Current.CancellationToken;
        var copy = Path.Combine(_dataDirectory, "journal-copy");
        string connectionString;
        await using var server = await KmsServer.StartAsync(new KmsServerOptions
        {
            Port = 0,
            DataDirectory = _dataDirectory,
            SiloPort = TestPorts.Free(),
            SiloGatewayPort = TestPorts.Free(),
            LogLevel = LogLevel.Warning,
        }, cancel);
        connectionString = server.StorageConnectionString!;
        var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
        for (var i = 0; i < 3; i++)
        {
            var id = (await kms.CreateKeyAsync(new CreateKeyRequest { Tags = [new Tag { TagKey = "n", TagValue = $"{i}" }] }, cancel)).KeyMetadata.KeyId;
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = $"alias/replay-{i}", TargetKeyId = id }, cancel);
            await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = id }, cancel);
            var grant = await kms.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = id, GranteePrincipal = "arn:aws:iam::000000000000:role/a", RetiringPrincipal = "arn:aws:iam::000000000000:role/b", Operations = ["Decrypt"],
            }, cancel);
            if (i == 0) await kms.RevokeGrantAsync(new RevokeGrantRequest { KeyId = id, GrantId = grant.GrantId }, cancel);
            if (i == 1) await kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = $"alias/replay-{i}" }, cancel);
        }

        // The catalog shards confirm CreateKey's pending key ids in the background (every 2 s): once they have, the
        // service writes nothing more, and the journal copied next holds every write the live store has.
        await WaitUntilNoKeyIdIsPendingAsync(new TableServiceClient(connectionString), server.Services.GetRequiredService<Serializer>());

        // The live journal before Azurite has saved (and the journal dropped) its segments.
        Directory.CreateDirectory(copy);
        foreach (var segment in StorageJournal.Segments(Path.Combine(_dataDirectory, "journal")))
            File.Copy(segment, Path.Combine(copy, Path.GetFileName(segment)));

        await using var empty = await AzuriteProcess.StartAsync(Path.Combine(_dataDirectory, "empty"), NullLogger.Instance, cancel);
        var applied = await JournalReplay.ApplyAsync(new TableServiceClient(empty.ConnectionString), StorageJournal.Read(StorageJournal.Segments(copy)), NullLogger.Instance, cancel);
        Assert.True(applied > 20, $"Only {applied} writes were journaled.");

        foreach (var table in new[] { "kmskeys", "OrleansReminders" })
        {
            var live = await RowsAsync(new TableServiceClient(connectionString), table);
            var replayed = await RowsAsync(new TableServiceClient(empty.ConnectionString), table);
            Assert.NotEmpty(live);
            Assert.Equal(live.Keys.Order(), replayed.Keys.Order());
            foreach (var (row, properties) in live) Assert.Equal(properties, replayed[row]);
        }
    }

    private static async Task WaitUntilNoKeyIdIsPendingAsync(TableServiceClient tables, Serializer serializer)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var pending = 0;
            await foreach (var entity in tables.GetTableClient("kmskeys").QueryAsync<TableEntity>(cancellationToken: TestContext.Current.CancellationToken))
            {
                if (!entity.RowKey.StartsWith("catalog-shard$", StringComparison.Ordinal) || entity.GetBinary("State") is not { } data) continue;
                pending += serializer.Deserialize<OrleansKms.Grains.KeyCatalogShardState>(data).Pending.Count;
            }

            if (pending == 0) return;
            Assert.True(DateTime.UtcNow < deadline, $"{pending} key ids were still pending in the catalog shards after 30 s.");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Each row's properties with their values and types, Timestamp and ETag left out.</summary>
    private static async Task<Dictionary<string, string>> RowsAsync(TableServiceClient tables, string table)
    {
        var rows = new Dictionary<string, string>();
        await foreach (var entity in tables.GetTableClient(table).QueryAsync<TableEntity>(cancellationToken: TestContext.Current.CancellationToken))
        {
            var properties = entity.Where(p => p.Key is not ("Timestamp" or "odata.etag"))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $"{p.Key}:{p.Value?.GetType().Name}:{(p.Value is byte[] b ? Convert.ToBase64String(b) : Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture))}");
            rows[entity.PartitionKey + "|" + entity.RowKey] = string.Join(";", properties);
        }

        return rows;
    }

    public ValueTask DisposeAsync()
    {
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
