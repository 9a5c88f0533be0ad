using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using OrleansKms.Gateway.Audit;

namespace OrleansKms.Hosting.Audit;

/// <summary>
/// CloudTrail log files as the audit stores keep them, wherever they keep them (blobs, or files in the data folder):
/// gzipped <c>{"Records": [...]}</c> files, one per account, Region and hour per write, named and laid out as CloudTrail
/// lays out its S3 bucket (<c>AWSLogs/ACCOUNT/CloudTrail/REGION/yyyy/MM/dd/HH/ACCOUNT_CloudTrail_REGION_TIMEZ_SEQUENCE_WRITER.json.gz</c>;
/// the hour folder is ours, so a lookup lists only the hours it asks for). A file is named by its first record's time
/// and sequence and its writer's id, so a retried batch writes the same file again and several processes never
/// write the same file.
/// </summary>
public static class CloudTrailLogFiles
{
    /// <summary>
    /// The log files of one write, one per Region, account and hour, each gzipped record by record as the writer adds
    /// them: the compression is spread over the writer's small build slices, and a built record is garbage at once
    /// instead of waiting, with thousands of others, for the write. The compressed files are held in pooled chunks
    /// (no large-object-heap buffer per write).
    /// </summary>
    public sealed class Batch(string writer) : AuditBatch
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

    public sealed class LogFile : IDisposable
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

    /// <summary>Stores <paramref name="entries"/> as one batch of <paramref name="store"/> (the stores' AppendAsync).</summary>
    public static async Task AppendAsync(IAuditStore store, IReadOnlyList<AuditEntry> entries, CancellationToken cancel)
    {
        using var batch = store.StartBatch();
        foreach (var entry in entries) batch.Add(entry);
        await store.WriteAsync(batch, cancel);
    }

    /// <summary>
    /// The records of <paramref name="query"/>'s account and Region in its time range, from the files a store lists
    /// under a folder (<paramref name="list"/>, names relative to the store's root) and opens (<paramref name="open"/>).
    /// A short range lists its hours' folders; a long one (the default is 90 days) its days', not thousands of hours.
    /// </summary>
    public static async Task<List<AuditEntry>> FindAsync(AuditQuery query, Func<string, CancellationToken, IAsyncEnumerable<string>> list,
        Func<string, CancellationToken, Task<Stream>> open, CancellationToken cancel)
    {
        var matches = new List<AuditEntry>();
        var byDay = query.Until - query.Since > TimeSpan.FromHours(48);
        var step = byDay ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1);
        var first = byDay ? new DateTimeOffset(query.Since.UtcDateTime.Date, TimeSpan.Zero) : Hour(query.Since);
        for (var folder = first; folder <= query.Until; folder += step)
        {
            var prefix = Folder(query.AccountId, query.Region, folder);
            if (byDay) prefix = prefix[..prefix.TrimEnd('/').LastIndexOf('/')] + "/"; // .../yyyy/MM/dd/
            await foreach (var name in list(prefix, cancel))
            {
                // A file holds records of one hour from its first record's time on.
                if (!TryParseName(name, out var start, out var sequence) || start > query.Until || Hour(start).AddHours(1) <= query.Since) continue;
                using var json = new MemoryStream();
                await using (var content = await open(name, cancel))
                await using (var gunzip = new GZipStream(content, CompressionMode.Decompress))
                    await gunzip.CopyToAsync(json, cancel);
                foreach (var entry in Entries(json.GetBuffer().AsMemory(0, (int)json.Length), query.Region, query.AccountId, sequence))
                    if (query.Matches(entry)) matches.Add(entry);
            }
        }

        return matches;
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

    public static DateTimeOffset Hour(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    public static string Folder(string account, string region, DateTimeOffset hour) =>
        $"AWSLogs/{account}/CloudTrail/{region}/{hour.UtcDateTime.ToString("yyyy'/'MM'/'dd'/'HH", CultureInfo.InvariantCulture)}/";

    /// <summary>A log file's name: its folder, then CloudTrail's ACCOUNT_CloudTrail_REGION_TIME_ and our sequence and writer.</summary>
    public static string Name(string account, string region, DateTimeOffset first, long sequence, string writer) =>
        Folder(account, region, Hour(first)) +
        $"{account}_CloudTrail_{region}_{first.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfffffff", CultureInfo.InvariantCulture)}Z_{sequence:D19}_{writer}.json.gz";

    public static bool TryParseName(string name, out DateTimeOffset start, out long sequence)
    {
        start = default;
        sequence = 0;
        var parts = name[(name.LastIndexOf('/') + 1)..].Split('_');
        // ACCOUNT, CloudTrail, REGION, TIMEZ, SEQUENCE, WRITER.json.gz (a file still being written has another ending)
        return parts.Length == 6 && parts[5].EndsWith(".json.gz", StringComparison.Ordinal) &&
            DateTimeOffset.TryParseExact(parts[3], "yyyyMMdd'T'HHmmssfffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out start) &&
            long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }
}
