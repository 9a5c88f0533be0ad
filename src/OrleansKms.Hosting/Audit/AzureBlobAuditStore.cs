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
/// same file again (an append that carries more records rewrites it as a superset): no duplicates, and several gateway
/// processes never write the same file. The writer's batches (<see cref="StartBatch"/>) are gzipped record by record
/// as they are built, not at write time. Records of the table rows of the format before this one
/// (<see cref="AzureTableAuditArchive"/>) are still found by lookups when <c>legacy</c> is given.
/// </summary>
public sealed class AzureBlobAuditStore(BlobServiceClient service, IOptions<KmsAuditOptions> options, AzureTableAuditArchive? legacy = null) : IAuditStore
{
    private readonly string _writer = Guid.NewGuid().ToString("N")[..12];
    private Task<BlobContainerClient>? _container;

    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancel)
    {
        using var batch = StartBatch();
        foreach (var entry in entries) batch.Add(entry);
        await WriteAsync(batch, cancel);
    }

    /// <summary>A batch that gzips each record into its log file as the writer adds it (see <see cref="LogFileBatch"/>).</summary>
    public AuditBatch StartBatch() => new LogFileBatch(_writer);

    public async Task WriteAsync(AuditBatch batch, CancellationToken cancel)
    {
        if (batch is not LogFileBatch files) throw new ArgumentException("Not a batch of this store.", nameof(batch));
        batch.Seal();
        var container = await ContainerAsync(cancel);
        foreach (var file in files.Files)
        {
            if (file.Stored) continue; // a retry after a partial failure writes only what is missing
            file.Content.Position = 0;
            await container.GetBlobClient(file.Name).UploadAsync(file.Content, overwrite: true, cancel);
            file.Stored = true;
        }
    }

    /// <summary>
    /// The log files of one write, one per Region, account and hour, each gzipped record by record as the writer adds
    /// them: the compression is spread over the writer's small build slices, and a built record is garbage at once
    /// instead of waiting, with thousands of others, for the write. The compressed files are held in pooled chunks
    /// (no large-object-heap buffer per write).
    /// </summary>
    private sealed class LogFileBatch(string writer) : AuditBatch
    {
        private readonly Dictionary<(string Region, string Account, DateTimeOffset Hour), LogFile> _byHour = [];
        private LogFile? _last;

        public List<LogFile> Files { get; } = [];

        protected override void Encode(in BuiltAuditRecord entry)
        {
            var account = entry.AccountId ?? "-";
            var hour = Hour(entry.EventTime);
            var file = _last;
            if (file is null || file.Region != entry.Region || file.Account != account || file.Hour != hour)
            {
                if (!_byHour.TryGetValue((entry.Region, account, hour), out file))
                {
                    file = new LogFile(entry.Region, account, hour, Name(account, entry.Region, entry.EventTime, entry.Sequence, writer));
                    _byHour.Add((entry.Region, account, hour), file);
                    Files.Add(file);
                }

                _last = file;
            }

            file.Write(entry.Utf8Json);
        }

        protected override void OnSealed()
        {
            foreach (var file in Files) file.Finish();
        }

        protected override void Dispose(bool disposing)
        {
            foreach (var file in Files) file.Dispose();
        }
    }

    private sealed class LogFile : IDisposable
    {
        private readonly GZipStream _gzip;
        private bool _any;

        public LogFile(string region, string account, DateTimeOffset hour, string name)
        {
            (Region, Account, Hour, Name) = (region, account, hour, name);
            _gzip = new GZipStream(Content, CompressionLevel.Fastest, leaveOpen: true);
            _gzip.Write("{\"Records\":["u8);
        }

        public string Region { get; }

        public string Account { get; }

        public DateTimeOffset Hour { get; }

        public string Name { get; }

        public PooledChunkStream Content { get; } = new();

        public bool Stored { get; set; }

        public void Write(ReadOnlySpan<byte> record)
        {
            if (_any) _gzip.WriteByte((byte)',');
            _gzip.Write(record);
            _any = true;
        }

        public void Finish()
        {
            _gzip.Write("]}"u8);
            _gzip.Dispose();
        }

        public void Dispose()
        {
            _gzip.Dispose();
            Content.Dispose();
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
