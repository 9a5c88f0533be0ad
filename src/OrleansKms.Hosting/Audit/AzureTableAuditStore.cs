using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Audit;

namespace OrleansKms.Hosting.Audit;

/// <summary>
/// Audit records in Azure Table storage, one table per Region: <c>kmsaudit</c> for us-east-1, <c>kmsaudit</c> + the
/// compact Region for the others (<c>kmsauditeuwest1</c>), as the Regions' other tables are named.
/// <list type="bullet">
/// <item>Records are stored in pages: one row holds up to <see cref="PageRecords"/> records (up to
/// <see cref="PageChars"/> bytes of JSON before deflation) of one account and hour, so a busy gateway writes a few
/// small rows per flush, not one row per request (a row per request cost the storage emulator more CPU than the
/// requests themselves).</item>
/// <item>PartitionKey <c>ACCOUNT|yyyyMMddHH</c> (UTC hour of the event; <c>-|...</c> for an access key no identity has):
/// a lookup reads one account's hours as one key-range query.</item>
/// <item>RowKey <c>yyyyMMddHHmmssfffffff|SEQUENCE|EVENTID</c> of the page's first record: time-ordered, then in the
/// order the gateway answered; the event id keeps pages of several gateways apart.</item>
/// <item>Columns Count, First and Last (event times), and the page as deflated JSON in binary columns Z0, Z1, ...
/// (60,000 bytes each: a table binary holds 64K): an array of <c>{"t","s","e","n","p","k","r","j"}</c>, the record's time, sequence,
/// event id, event name, principal, access key, resources and the CloudTrail event itself.</item>
/// </list>
/// A batch is written as Azure Table transactions of up to 100 rows of one partition, upserts, in order. A retried
/// batch writes the same pages again (a page is named by its first record, and pages are cut from the front of the
/// batch, so a retry that carries more records rewrites the last page as a superset): no duplicates. Rows of one
/// record each (<c>Record0</c>..., written by the version before pages) are still read. This client carries no storage
/// journal: with the default Azurite, records it acknowledged in the last ~5 s (its save interval) are lost if Azurite
/// itself is killed.
/// </summary>
public sealed class AzureTableAuditStore(TableServiceClient service, IOptions<KmsAuditOptions> options) : IAuditStore
{
    /// <summary>Most records in one page row.</summary>
    public const int PageRecords = 500;

    /// <summary>A page is cut once its JSON reaches this many bytes (deflated, well under an entity's 1 MiB even if it did not shrink).</summary>
    public const int PageChars = 600_000;

    private const int ChunkBytes = 60_000; // a binary property holds 64 KiB
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
                foreach (var (page, chars) in Pages(partition.Key, partition))
                {
                    if (actions.Count == 100 || bytes + chars * 2 > MaxTransactionBytes)
                    {
                        await table.SubmitTransactionAsync(actions, cancel);
                        actions = [];
                        bytes = 0;
                    }

                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, page));
                    bytes += chars * 2 + 1024;
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
        var matches = new List<AuditEntry>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancel))
        {
            foreach (var entry in Entries(entity, query.Region, query.AccountId))
                if (query.Matches(entry)) matches.Add(entry);
        }

        return query.Arrange(matches);
    }

    /// <summary>The records of one stored row (a page, or a single record of the format before pages).</summary>
    public static IEnumerable<AuditEntry> Entries(TableEntity entity, string region, string? account)
    {
        if (entity.GetBinary("Z0") is null)
        {
            yield return Single(entity, region, account);
            yield break;
        }

        using var compressed = new MemoryStream();
        for (var i = 0; entity.GetBinary("Z" + i) is { } chunk; i++) compressed.Write(chunk);
        compressed.Position = 0;
        using var json = new MemoryStream();
        using (var inflate = new DeflateStream(compressed, CompressionMode.Decompress)) inflate.CopyTo(json);
        using var page = JsonDocument.Parse(json.GetBuffer().AsMemory(0, (int)json.Length));
        foreach (var item in page.RootElement.EnumerateArray())
        {
            yield return new AuditEntry(region, account,
                DateTimeOffset.Parse(item.GetProperty("t").GetString()!, CultureInfo.InvariantCulture),
                item.GetProperty("s").GetInt64(), item.GetProperty("e").GetString()!, item.GetProperty("n").GetString()!,
                item.TryGetProperty("p", out var p) ? p.GetString() : null, item.TryGetProperty("k", out var k) ? k.GetString() : null,
                [.. item.GetProperty("r").EnumerateArray().Select(r => r.GetString()!)], item.GetProperty("j").GetRawText());
        }
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

    /// <summary>The partition's entries in pages, cut from the front: each page and its JSON length.</summary>
    private static IEnumerable<(TableEntity Page, int Chars)> Pages(string partition, IEnumerable<AuditEntry> entries)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using var writer = new Utf8JsonWriter(buffer);
        AuditEntry? first = null;
        DateTimeOffset last = default;
        var count = 0;
        foreach (var entry in entries)
        {
            if (first is null)
            {
                first = entry;
                writer.WriteStartArray();
            }

            writer.WriteStartObject();
            writer.WriteString("t", entry.EventTime.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteNumber("s", entry.Sequence);
            writer.WriteString("e", entry.EventId);
            writer.WriteString("n", entry.EventName);
            if (entry.PrincipalArn is not null) writer.WriteString("p", entry.PrincipalArn);
            if (entry.AccessKeyId is not null) writer.WriteString("k", entry.AccessKeyId);
            writer.WriteStartArray("r");
            foreach (var arn in entry.Resources) writer.WriteStringValue(arn);
            writer.WriteEndArray();
            writer.WritePropertyName("j");
            writer.WriteRawValue(entry.Utf8Json.Span, skipInputValidation: true);
            writer.WriteEndObject();
            last = entry.EventTime;
            count++;
            writer.Flush();
            if (count == PageRecords || buffer.WrittenCount >= PageChars)
            {
                yield return Page(partition, first, last, count, writer, buffer);
                first = null;
                count = 0;
            }
        }

        if (first is not null) yield return Page(partition, first, last, count, writer, buffer);
    }

    private static (TableEntity, int) Page(string partition, AuditEntry first, DateTimeOffset last, int count, Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer)
    {
        writer.WriteEndArray();
        writer.Flush();
        // Deflated: audit records repeat themselves (names, ARNs, identities), so a page shrinks about tenfold, and
        // the storage client and the store handle a tenth of the bytes.
        using var compressed = new MemoryStream(buffer.WrittenCount / 6 + 1024);
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) deflate.Write(buffer.WrittenSpan);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        var time = first.EventTime.UtcDateTime.ToString("yyyyMMddHHmmssfffffff", CultureInfo.InvariantCulture);
        var entity = new TableEntity(partition, $"{time}|{first.Sequence:D19}|{first.EventId}")
        {
            ["Count"] = count,
            ["First"] = first.EventTime,
            ["Last"] = last,
        };
        var bytes = compressed.GetBuffer().AsSpan(0, (int)compressed.Length);
        for (var i = 0; i * ChunkBytes < bytes.Length; i++)
            entity["Z" + i] = bytes.Slice(i * ChunkBytes, Math.Min(ChunkBytes, bytes.Length - i * ChunkBytes)).ToArray();
        return (entity, bytes.Length * 4 / 3);
    }

    /// <summary>A row of one record, as the version before pages wrote them.</summary>
    private static AuditEntry Single(TableEntity entity, string region, string? account)
    {
        var json = new StringBuilder();
        for (var i = 0; entity.GetString("Record" + i) is { } chunk; i++) json.Append(chunk);
        var resources = entity.GetString("Resources") is { Length: > 0 } r ? r.Split(' ') : [];
        return new AuditEntry(region, account, entity.GetDateTimeOffset("EventTime") ?? default, entity.GetInt64("Sequence") ?? 0,
            entity.GetString("EventId") ?? "", entity.GetString("EventName") ?? "", entity.GetString("Principal"),
            entity.GetString("AccessKeyId"), resources, json.ToString());
    }
}
