using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Audit;

namespace OrleansKms.Hosting.Audit;

/// <summary>
/// Audit records in Azure Table storage, one table per Region: <c>kmsaudit</c> for us-east-1, <c>kmsaudit</c> + the
/// compact Region for the others (<c>kmsauditeuwest1</c>), as the Regions' other tables are named.
/// <list type="bullet">
/// <item>PartitionKey <c>ACCOUNT|yyyyMMddHH</c> (UTC hour of the event; <c>-|...</c> for an access key no identity has):
/// a lookup reads one account's hours as one key-range query.</item>
/// <item>RowKey <c>yyyyMMddHHmmssfffffff|SEQUENCE|EVENTID</c>: time-ordered, then in the order the gateway answered.</item>
/// <item>Columns EventName, Principal, AccessKeyId, Resources (key ARNs, space-separated), EventTime, and the
/// CloudTrail event as JSON in Record0, Record1, ... (30,000 characters each: a table string holds 32K).</item>
/// </list>
/// A batch is written as Azure Table transactions of up to 100 entities of one partition, upserts (a retried batch
/// writes the same rows again, no duplicates), in order. This client carries no storage journal: with the default
/// Azurite, records it acknowledged in the last ~5 s (its save interval) are lost if Azurite itself is killed.
/// </summary>
public sealed class AzureTableAuditStore(TableServiceClient service, IOptions<KmsAuditOptions> options) : IAuditStore
{
    private const int ChunkChars = 30_000;
    private const int MaxTransactionBytes = 3_000_000; // Azure's limit is 4 MiB per transaction payload
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);

    /// <summary>The table of <paramref name="region"/>'s records.</summary>
    public string TableName(string region) =>
        options.Value.TableName + (region == AwsRegions.Default ? "" : AwsRegions.Compact(region));

    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancel)
    {
        foreach (var region in entries.GroupBy(e => e.Region))
        {
            var table = await TableAsync(region.Key, cancel);
            foreach (var partition in region.GroupBy(PartitionKey))
            {
                var actions = new List<TableTransactionAction>();
                var bytes = 0;
                foreach (var entry in partition)
                {
                    if (actions.Count == 100 || bytes + entry.Json.Length * 2 > MaxTransactionBytes)
                    {
                        await table.SubmitTransactionAsync(actions, cancel);
                        actions = [];
                        bytes = 0;
                    }

                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity(entry, partition.Key)));
                    bytes += entry.Json.Length * 2 + 1024;
                }

                if (actions.Count > 0) await table.SubmitTransactionAsync(actions, cancel);
            }
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> LookupAsync(AuditQuery query, CancellationToken cancel)
    {
        var table = await TableAsync(query.Region, cancel);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {Partition(query.AccountId, query.Since)} and PartitionKey le {Partition(query.AccountId, query.Until)}");
        if (query.EventName is { } name) filter += " and " + TableClient.CreateQueryFilter($"EventName eq {name}");
        var matches = new List<AuditEntry>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancel))
        {
            var entry = Entry(entity, query.Region, query.AccountId);
            if (query.Matches(entry)) matches.Add(entry);
        }

        return query.Arrange(matches);
    }

    /// <summary>The Region's table, created on first use; a failed creation is tried again next time.</summary>
    private async Task<TableClient> TableAsync(string region, CancellationToken cancel)
    {
        var created = _tables.GetOrAdd(region, r => new Lazy<Task<TableClient>>(async () =>
        {
            var table = service.GetTableClient(TableName(r));
            await table.CreateIfNotExistsAsync(CancellationToken.None);
            return table;
        }));
        try
        {
            return await created.Value.WaitAsync(cancel);
        }
        catch (RequestFailedException)
        {
            _tables.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(region, created));
            throw;
        }
    }

    private static string PartitionKey(AuditEntry entry) => Partition(entry.AccountId ?? "-", entry.EventTime);

    private static string Partition(string account, DateTimeOffset time) =>
        $"{account}|{time.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)}";

    private static TableEntity Entity(AuditEntry entry, string partition)
    {
        var time = entry.EventTime.UtcDateTime.ToString("yyyyMMddHHmmssfffffff", CultureInfo.InvariantCulture);
        var entity = new TableEntity(partition, $"{time}|{entry.Sequence:D19}|{entry.EventId}")
        {
            ["EventName"] = entry.EventName,
            ["Principal"] = entry.PrincipalArn,
            ["AccessKeyId"] = entry.AccessKeyId,
            ["Resources"] = string.Join(' ', entry.Resources),
            ["EventTime"] = entry.EventTime,
            ["Sequence"] = entry.Sequence,
            ["EventId"] = entry.EventId,
        };
        for (var i = 0; i * ChunkChars < entry.Json.Length; i++)
            entity["Record" + i] = entry.Json.Substring(i * ChunkChars, Math.Min(ChunkChars, entry.Json.Length - i * ChunkChars));
        return entity;
    }

    private static AuditEntry Entry(TableEntity entity, string region, string account)
    {
        var json = new StringBuilder();
        for (var i = 0; entity.GetString("Record" + i) is { } chunk; i++) json.Append(chunk);
        var resources = entity.GetString("Resources") is { Length: > 0 } r ? r.Split(' ') : [];
        return new AuditEntry(region, account, entity.GetDateTimeOffset("EventTime") ?? default, entity.GetInt64("Sequence") ?? 0,
            entity.GetString("EventId") ?? "", entity.GetString("EventName") ?? "", entity.GetString("Principal"),
            entity.GetString("AccessKeyId"), resources, json.ToString());
    }
}
