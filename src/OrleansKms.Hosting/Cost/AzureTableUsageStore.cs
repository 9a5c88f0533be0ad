using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Cost;

namespace OrleansKms.Hosting.Cost;

/// <summary>
/// Metered request counts in Azure Table storage, one table per Region: <c>kmsusage</c> for us-east-1, <c>kmsusage</c>
/// + the compact Region for the others (<c>kmsusageeuwest1</c>).
/// <list type="bullet">
/// <item>PartitionKey <c>ACCOUNT|yyyyMM</c>: a bill reads one account's month as one partition.</item>
/// <item>RowKey <c>yyyyMMddHH|WRITER|HASH</c>: the hour, the gateway process that counted, and a hash of the key ARN,
/// operation, principal and detail (ARNs hold '/', which a RowKey may not).</item>
/// <item>Columns Hour, Writer, Key, Operation, Principal, Detail, Count (the writer's running total).</item>
/// </list>
/// Rows are upserted (replaced) in transactions of up to 100 of one partition: a retried batch writes the same totals
/// again, and each process writes only its own rows, so no read-modify-write is needed.
/// </summary>
public sealed class AzureTableUsageStore(TableServiceClient service, IOptions<KmsCostOptions> options) : IUsageStore
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);

    public string TableName(string region) =>
        options.Value.TableName + (region == AwsRegions.Default ? "" : AwsRegions.Compact(region));

    public async Task WriteAsync(IReadOnlyList<UsageRow> rows, CancellationToken cancel)
    {
        foreach (var region in rows.GroupBy(r => r.Region))
        {
            var table = await TableAsync(region.Key, cancel);
            foreach (var partition in region.GroupBy(r => Partition(r.AccountId, r.Hour.Year, r.Hour.Month)))
            {
                foreach (var chunk in partition.Chunk(100))
                {
                    await table.SubmitTransactionAsync(
                        chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity(r, partition.Key))), cancel);
                }
            }
        }
    }

    public async Task<IReadOnlyList<UsageRow>> ReadAsync(string region, string accountId, int year, int month, CancellationToken cancel)
    {
        var table = await TableAsync(region, cancel);
        var rows = new List<UsageRow>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(accountId, year, month)}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancel))
        {
            rows.Add(new UsageRow(region, accountId, e.GetDateTimeOffset("Hour") ?? default, e.GetString("Writer") ?? "", e.GetString("Key") ?? "",
                e.GetString("Operation") ?? "", e.GetString("Principal") ?? "", e.GetString("Detail") ?? "", e.GetInt64("Count") ?? 0));
        }

        return rows;
    }

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

    private static string Partition(string account, int year, int month) => $"{account}|{year:D4}{month:D2}";

    private static TableEntity Entity(UsageRow r, string partition)
    {
        var dimensions = Encoding.UTF8.GetBytes($"{r.KeyArn}\n{r.Operation}\n{r.Principal}\n{r.Detail}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(dimensions).AsSpan(0, 16));
        var hour = r.Hour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
        return new TableEntity(partition, $"{hour}|{r.Writer}|{hash}")
        {
            ["Hour"] = r.Hour,
            ["Writer"] = r.Writer,
            ["Key"] = r.KeyArn,
            ["Operation"] = r.Operation,
            ["Principal"] = r.Principal,
            ["Detail"] = r.Detail,
            ["Count"] = r.Count,
        };
    }
}
