using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Audit;

namespace OrleansKms.Hosting.Audit;

/// <summary>
/// Audit records as CloudTrail log files in blob storage: each write puts one gzipped <c>{"Records": [...]}</c> file
/// per account and hour, laid out as CloudTrail lays out its S3 bucket, in the container <c>kmsaudit</c>:
/// <c>AWSLogs/ACCOUNT/CloudTrail/REGION/yyyy/MM/dd/HH/ACCOUNT_CloudTrail_REGION_yyyyMMddTHHmmssfffffffZ_SEQUENCE_WRITER.json.gz</c>
/// (<c>-</c> for the account of an access key no identity has; the hour folder is ours, so a lookup lists only the
/// hours it asks for). The files are what existing log tools read, as they are.
/// <para>
/// Why blobs and not table rows: the storage emulator keeps its tables in one in-memory database that it writes out
/// whole at every save, so a table that grows by megabytes a minute makes every later write dearer (measured: its CPU
/// per audited request tripled within a minute of load); blob contents are files of their own.
/// </para>
/// A file is named by its first record's time and sequence and this process's writer id, so a retried batch writes the
/// same file again (a retry that carries more records rewrites it as a superset): no duplicates, and several gateway
/// processes never write the same file. Records of the table rows of the format before this one
/// (<see cref="AzureTableAuditArchive"/>) are still found by lookups when <c>legacy</c> is given.
/// </summary>
public sealed class AzureBlobAuditStore(BlobServiceClient service, IOptions<KmsAuditOptions> options, AzureTableAuditArchive? legacy = null) : IAuditStore
{
    private readonly string _writer = Guid.NewGuid().ToString("N")[..12];
    private Task<BlobContainerClient>? _container;

    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancel)
    {
        var container = await ContainerAsync(cancel);
        foreach (var file in entries.GroupBy(e => (e.Region, Account: e.AccountId ?? "-", Hour: Hour(e.EventTime))))
        {
            var first = file.First();
            var name = Name(file.Key.Account, file.Key.Region, first.EventTime, first.Sequence, _writer);
            using var content = new MemoryStream();
            using (var gzip = new GZipStream(content, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write("{\"Records\":["u8);
                var separator = false;
                foreach (var entry in file)
                {
                    if (separator) gzip.WriteByte((byte)',');
                    gzip.Write(entry.Utf8Json.Span);
                    separator = true;
                }

                gzip.Write("]}"u8);
            }

            content.Position = 0;
            await container.GetBlobClient(name).UploadAsync(content, overwrite: true, cancel);
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> LookupAsync(AuditQuery query, CancellationToken cancel)
    {
        var container = await ContainerAsync(cancel);
        var matches = new List<AuditEntry>();
        // A short range lists its hours' folders; a long one (the default is 90 days) its days', not thousands of hours.
        var byDay = query.Until - query.Since > TimeSpan.FromHours(48);
        var step = byDay ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1);
        var first = byDay ? new DateTimeOffset(query.Since.UtcDateTime.Date, TimeSpan.Zero) : Hour(query.Since);
        for (var folder = first; folder <= query.Until; folder += step)
        {
            var prefix = Folder(query.AccountId, query.Region, folder);
            if (byDay) prefix = prefix[..prefix.TrimEnd('/').LastIndexOf('/')] + "/"; // .../yyyy/MM/dd/
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancel))
            {
                // A file holds records of one hour from its first record's time on.
                if (!TryParseName(blob.Name, out var start, out var sequence) || start > query.Until || Hour(start).AddHours(1) <= query.Since) continue;
                var download = await container.GetBlobClient(blob.Name).DownloadContentAsync(cancel);
                using var json = new MemoryStream();
                using (var gunzip = new GZipStream(download.Value.Content.ToStream(), CompressionMode.Decompress)) await gunzip.CopyToAsync(json, cancel);
                foreach (var entry in Entries(json.GetBuffer().AsMemory(0, (int)json.Length), query.Region, query.AccountId, sequence))
                    if (query.Matches(entry)) matches.Add(entry);
            }
        }

        if (legacy is not null) matches.AddRange(await legacy.LookupAsync(query, cancel));

        return query.Arrange(matches);
    }

    /// <summary>The records of a CloudTrail log file: what a lookup filters on, read from the events themselves.</summary>
    public static IEnumerable<AuditEntry> Entries(ReadOnlyMemory<byte> file, string region, string? account, long firstSequence)
    {
        using var document = JsonDocument.Parse(file);
        var sequence = firstSequence;
        var entries = new List<AuditEntry>();
        foreach (var record in document.RootElement.GetProperty("Records").EnumerateArray())
        {
            var identity = record.GetProperty("userIdentity");
            var resources = record.TryGetProperty("resources", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Select(x => x.GetProperty("ARN").GetString()!).ToList()
                : [];
            entries.Add(new AuditEntry(region, account,
                DateTimeOffset.Parse(record.GetProperty("eventTime").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                sequence++, record.GetProperty("eventID").GetString()!, record.GetProperty("eventName").GetString()!,
                identity.TryGetProperty("arn", out var arn) ? arn.GetString() : null,
                identity.TryGetProperty("accessKeyId", out var key) ? key.GetString() : null,
                resources, (ReadOnlyMemory<byte>)System.Text.Encoding.UTF8.GetBytes(record.GetRawText())));
        }

        return entries;
    }

    /// <summary>The container, created on first use; a failed creation is tried again next time.</summary>
    private async Task<BlobContainerClient> ContainerAsync(CancellationToken cancel)
    {
        var created = _container ??= CreateAsync();
        try
        {
            return await created.WaitAsync(cancel);
        }
        catch (RequestFailedException)
        {
            _ = Interlocked.CompareExchange(ref _container, null, created);
            throw;
        }
    }

    private async Task<BlobContainerClient> CreateAsync()
    {
        var container = service.GetBlobContainerClient(options.Value.TableName);
        await container.CreateIfNotExistsAsync();
        return container;
    }

    private static DateTimeOffset Hour(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    private static string Folder(string account, string region, DateTimeOffset hour) =>
        $"AWSLogs/{account}/CloudTrail/{region}/{hour.UtcDateTime.ToString("yyyy'/'MM'/'dd'/'HH", CultureInfo.InvariantCulture)}/";

    /// <summary>A log file's name: its folder, then CloudTrail's ACCOUNT_CloudTrail_REGION_TIME_ and our sequence and writer.</summary>
    public static string Name(string account, string region, DateTimeOffset first, long sequence, string writer) =>
        Folder(account, region, Hour(first)) +
        $"{account}_CloudTrail_{region}_{first.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfffffff", CultureInfo.InvariantCulture)}Z_{sequence:D19}_{writer}.json.gz";

    private static bool TryParseName(string name, out DateTimeOffset start, out long sequence)
    {
        start = default;
        sequence = 0;
        var parts = name[(name.LastIndexOf('/') + 1)..].Split('_');
        // ACCOUNT, CloudTrail, REGION, TIMEZ, SEQUENCE, WRITER.json.gz
        return parts.Length == 6 &&
            DateTimeOffset.TryParseExact(parts[3], "yyyyMMdd'T'HHmmssfffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out start) &&
            long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }
}
