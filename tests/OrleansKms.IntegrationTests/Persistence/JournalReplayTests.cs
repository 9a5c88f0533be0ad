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

        // The live journal before Azurite has saved (and the journal dropped) its segments, copied between two reads of
        // the live rows that agree: a write is journaled before storage has it, so a copy made after the rows were read
        // holds every write they show, and the same rows read again after it mean no write came in between.
        var tablesCompared = new[] { "kmskeys", "OrleansReminders" };
        Dictionary<string, Dictionary<string, string>> live;
        for (var attempt = 1; ; attempt++)
        {
            live = await AllRowsAsync(new TableServiceClient(connectionString), tablesCompared);
            if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
            Directory.CreateDirectory(copy);
            foreach (var segment in StorageJournal.Segments(Path.Combine(_dataDirectory, "journal")))
                File.Copy(segment, Path.Combine(copy, Path.GetFileName(segment)));
            var after = await AllRowsAsync(new TableServiceClient(connectionString), tablesCompared);
            if (tablesCompared.All(t => live[t].Count == after[t].Count && live[t].All(r => after[t].TryGetValue(r.Key, out var v) && v == r.Value))) break;
            Assert.True(attempt < 20, "The live rows kept changing while the journal was copied.");
            await Task.Delay(500, cancel);
        }

        await using var empty = await AzuriteProcess.StartAsync(Path.Combine(_dataDirectory, "empty"), NullLogger.Instance, cancel);
        var applied = await JournalReplay.ApplyAsync(new TableServiceClient(empty.ConnectionString), StorageJournal.Read(StorageJournal.Segments(copy)), NullLogger.Instance, cancel);
        Assert.True(applied > 20, $"Only {applied} writes were journaled.");

        foreach (var table in tablesCompared)
        {
            var replayed = await RowsAsync(new TableServiceClient(empty.ConnectionString), table);
            Assert.NotEmpty(live[table]);
            Assert.Equal(live[table].Keys.Order(), replayed.Keys.Order());
            foreach (var (row, properties) in live[table]) Assert.True(properties == replayed[row], $"{table} row {row}:\nlive     {properties}\nreplayed {replayed[row]}");
        }
    }

    private static async Task<Dictionary<string, Dictionary<string, string>>> AllRowsAsync(TableServiceClient tables, string[] names)
    {
        var rows = new Dictionary<string, Dictionary<string, string>>();
        foreach (var name in names) rows[name] = await RowsAsync(tables, name);
        return rows;
    }

    /// <summary>
    /// A row written many times (a catalog shard's) is replayed as its last state: the writes before its last replace
    /// or delete are skipped, the merges after it applied in order; rows that storage already holds end as the journal
    /// says, and a replay done twice (a crash during the first) ends the same.
    /// </summary>
    [Fact]
    public async Task Each_row_is_replayed_to_its_last_state_and_only_its_writes_from_its_last_replace_or_delete_are_applied()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(_dataDirectory, "azurite"), NullLogger.Instance, cancel);
        var tables = new TableServiceClient(azurite.ConnectionString);
        var table = tables.GetTableClient("replayed");
        await table.CreateIfNotExistsAsync(cancel);
        await table.AddEntityAsync(new TableEntity("p", "deleted") { ["V"] = "stored" }, cancel);
        await table.AddEntityAsync(new TableEntity("p", "replaced") { ["V"] = "stored", ["Old"] = "stored" }, cancel);

        static TableWrite Write(TableWriteKind kind, string row, string body = "") =>
            new(kind, "Replayed", "p", row, System.Text.Encoding.UTF8.GetBytes(body));
        var writes = new List<TableWrite>
        {
            new(TableWriteKind.CreateTable, "Replayed", "", "", []),
            Write(TableWriteKind.Replace, "shard", """{"V":"1"}"""),
            Write(TableWriteKind.Merge, "shard", """{"M":"1"}"""),
            Write(TableWriteKind.Replace, "deleted", """{"V":"1"}"""),
            Write(TableWriteKind.Replace, "shard", """{"V":"2"}"""),
            Write(TableWriteKind.Replace, "replaced", """{"V":"journal"}"""),
            Write(TableWriteKind.Merge, "shard", """{"M":"2","N@odata.type":"Edm.Int64","N":"7"}"""),
            Write(TableWriteKind.Delete, "deleted"),
            Write(TableWriteKind.Merge, "merged", """{"M":"1"}"""),
            Write(TableWriteKind.Merge, "merged", """{"N":"2"}"""),
            Write(TableWriteKind.Delete, "recreated"),
            Write(TableWriteKind.Replace, "recreated", """{"V":"3"}"""),
        };
        writes.AddRange(Enumerable.Range(0, 200).Select(i => Write(TableWriteKind.Replace, $"row-{i % 40:D2}", $$"""{"V":"{{i}}"}""")));

        for (var replay = 0; replay < 2; replay++)
        {
            // shard: its last replace and the merge after it; deleted, replaced, recreated: 1 each; merged: both merges;
            // the 40 rows written 5 times each: the last.
            Assert.Equal(2 + 1 + 1 + 2 + 1 + 40, await JournalReplay.ApplyAsync(tables, writes, NullLogger.Instance, cancel));
            var rows = (await RowsAsync(tables, "replayed")).ToDictionary(r => r.Key, r => string.Join(";",
                r.Value.Split(';').Where(p => !p.StartsWith("PartitionKey:", StringComparison.Ordinal) && !p.StartsWith("RowKey:", StringComparison.Ordinal))));
            Assert.Equal("M:String:2;N:Int64:7;V:String:2", rows["p|shard"]);
            Assert.False(rows.ContainsKey("p|deleted"));
            Assert.Equal("V:String:journal", rows["p|replaced"]);
            Assert.Equal("M:String:1;N:String:2", rows["p|merged"]);
            Assert.Equal("V:String:3", rows["p|recreated"]);
            for (var r = 0; r < 40; r++) Assert.Equal($"V:String:{160 + r}", rows[$"p|row-{r:D2}"]);
            Assert.Equal(44, rows.Count);
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
