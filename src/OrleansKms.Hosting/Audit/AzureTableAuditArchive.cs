using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Audit;

namespace OrleansKms.Hosting.Audit;

/// <summary>
/// Audit records of the format before log files (9dfb19a): one Azure Table row per record, table <c>kmsaudit</c> for
/// us-east-1 and <c>kmsaudit</c> + the compact Region for the others, PartitionKey <c>ACCOUNT|yyyyMMddHH</c>, columns
/// EventName, Principal, AccessKeyId, Resources (space-separated), EventTime, Sequence, EventId and the event in
/// Record0, Record1, .... Read only: <see cref="AzureBlobAuditStore"/> writes new records and asks this for old ones,
/// so an upgrade keeps its audit trail.
/// </summary>
public sealed class AzureTableAuditArchive(TableServiceClient service, IOptions<KmsAuditOptions> options)
{
    /// <summary>The table of <paramref name="region"/>'s records.</summary>
    public string TableName(string region) =>
        options.Value.TableName + (region == AwsRegions.Default ? "" : AwsRegions.Compact(region));

    /// <summary>The stored records the query matches (unarranged); none when the table does not exist.</summary>
    public async Task<IReadOnlyList<AuditEntry>> LookupAsync(AuditQuery query, CancellationToken cancel)
    {
        var table = service.GetTableClient(TableName(query.Region));
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {Partition(query.AccountId, query.Since)} and PartitionKey le {Partition(query.AccountId, query.Until)}");
        if (query.EventName is { } name) filter += " and " + TableClient.CreateQueryFilter($"EventName eq {name}");
        var matches = new List<AuditEntry>();
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancel))
            {
                var entry = Entry(entity, query.Region, query.AccountId);
                if (query.Matches(entry)) matches.Add(entry);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No table of the earlier format: nothing to add.
        }

        return matches;
    }

    public static string Partition(string account, DateTimeOffset time) =>
        $"{account}|{time.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)}";

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
