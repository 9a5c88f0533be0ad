namespace OrleansKms.Gateway.Audit;

/// <summary>
/// One audit record as stored: the CloudTrail event (<see cref="Utf8Json"/>) and the fields a lookup filters on.
/// <see cref="AccountId"/> is null for a request whose access key no identity has (no account can see it).
/// <see cref="Sequence"/> orders records of the same instant in the order the gateway answered them.
/// </summary>
public sealed record AuditEntry(
    string Region,
    string? AccountId,
    DateTimeOffset EventTime,
    long Sequence,
    string EventId,
    string EventName,
    string? PrincipalArn,
    string? AccessKeyId,
    IReadOnlyList<string> Resources,
    ReadOnlyMemory<byte> Utf8Json)
{
    /// <summary>A record whose event is given as text.</summary>
    public AuditEntry(string region, string? accountId, DateTimeOffset eventTime, long sequence, string eventId, string eventName,
        string? principalArn, string? accessKeyId, IReadOnlyList<string> resources, string json)
        : this(region, accountId, eventTime, sequence, eventId, eventName, principalArn, accessKeyId, resources,
            (ReadOnlyMemory<byte>)System.Text.Encoding.UTF8.GetBytes(json))
    {
    }

    /// <summary>The CloudTrail event as JSON text (kept as UTF-8: half the memory while it waits to be written).</summary>
    public string Json => System.Text.Encoding.UTF8.GetString(Utf8Json.Span);

    /// <summary>Whether <paramref name="key"/> (a key ARN or key id) is one of the record's resources.</summary>
    public bool Concerns(string key) =>
        Resources.Any(r => r == key || r.EndsWith("/" + key, StringComparison.Ordinal));

    /// <summary>Whether the caller was <paramref name="principal"/>: its ARN, its access key id, or the ARN's last part (a user name).</summary>
    public bool By(string principal) =>
        PrincipalArn == principal || AccessKeyId == principal ||
        (PrincipalArn is { } arn && arn.EndsWith("/" + principal, StringComparison.Ordinal));
}

/// <summary>
/// A lookup in one Region and account (as CloudTrail's LookupEvents): optional key, principal and event name,
/// a time range; <see cref="MaxResults"/> newest first, or every match oldest first when <see cref="Ascending"/>.
/// </summary>
public sealed record AuditQuery(string Region, string AccountId, DateTimeOffset Since, DateTimeOffset Until)
{
    public string? Key { get; init; }

    public string? Principal { get; init; }

    public string? EventName { get; init; }

    public int MaxResults { get; init; } = 50;

    public bool Ascending { get; init; }

    public bool Matches(AuditEntry entry) =>
        entry.AccountId == AccountId && entry.Region == Region && entry.EventTime >= Since && entry.EventTime <= Until &&
        (EventName is null || entry.EventName == EventName) &&
        (Key is null || entry.Concerns(Key)) &&
        (Principal is null || entry.By(Principal));

    /// <summary>Puts matches in the query's order and cuts them to <see cref="MaxResults"/>.</summary>
    public IReadOnlyList<AuditEntry> Arrange(IEnumerable<AuditEntry> matches)
    {
        var ordered = matches.OrderBy(e => e.EventTime).ThenBy(e => e.Sequence);
        return Ascending ? [.. ordered.Take(MaxResults)] : [.. ordered.Reverse().Take(MaxResults)];
    }
}

/// <summary>Where audit records are kept and looked up: the Region's storage (log files in blobs) or memory.</summary>
public interface IAuditStore
{
    /// <summary>Stores a batch, in order. May be retried with the same entries (writes are idempotent by event id).</summary>
    Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancel);

    /// <summary>
    /// A batch the writer fills record by record as it builds them, so that a store can encode each record (compress
    /// it) when it comes, in small slices, rather than all at once when the batch is written. The default keeps the entries.
    /// </summary>
    AuditBatch StartBatch() => new();

    /// <summary>Stores a batch from <see cref="StartBatch"/>, in order. After a failure the batch takes no more records and is retried as it is.</summary>
    Task WriteAsync(AuditBatch batch, CancellationToken cancel)
    {
        batch.Seal();
        return AppendAsync(batch.Entries, cancel);
    }

    Task<IReadOnlyList<AuditEntry>> LookupAsync(AuditQuery query, CancellationToken cancel);
}

/// <summary>
/// A record as the writer builds it: what a lookup filters on and the CloudTrail event as UTF-8, which lives in the
/// builder's per-thread buffer until the thread builds its next record (so a store that compresses the event as it
/// comes never needs a copy of it). <see cref="ToEntry"/> makes a record that lasts.
/// </summary>
public readonly ref struct BuiltAuditRecord
{
    private readonly AuditEntry? _entry;

    public BuiltAuditRecord(string region, string? accountId, DateTimeOffset eventTime, long sequence, string eventId, string eventName,
        string? principalArn, string? accessKeyId, IReadOnlyList<string> resources, ReadOnlySpan<byte> utf8Json)
    {
        (Region, AccountId, EventTime, Sequence, EventId, EventName, PrincipalArn, AccessKeyId, Resources) =
            (region, accountId, eventTime, sequence, eventId, eventName, principalArn, accessKeyId, resources);
        Utf8Json = utf8Json;
    }

    /// <summary>A stored record, seen as one just built.</summary>
    public BuiltAuditRecord(AuditEntry entry)
        : this(entry.Region, entry.AccountId, entry.EventTime, entry.Sequence, entry.EventId, entry.EventName, entry.PrincipalArn,
            entry.AccessKeyId, entry.Resources, entry.Utf8Json.Span) => _entry = entry;

    public string Region { get; }

    public string? AccountId { get; }

    public DateTimeOffset EventTime { get; }

    public long Sequence { get; }

    public string EventId { get; }

    public string EventName { get; }

    public string? PrincipalArn { get; }

    public string? AccessKeyId { get; }

    /// <summary>The key ARNs (the builder's list too: copied by <see cref="ToEntry"/>).</summary>
    public IReadOnlyList<string> Resources { get; }

    public ReadOnlySpan<byte> Utf8Json { get; }

    /// <summary>The record as an entry of its own (copies of the event and the resources).</summary>
    public AuditEntry ToEntry() => _entry ?? new AuditEntry(Region, AccountId, EventTime, Sequence, EventId, EventName, PrincipalArn,
        AccessKeyId, [.. Resources], (ReadOnlyMemory<byte>)Utf8Json.ToArray());
}

/// <summary>
/// Records on their way to one write. <see cref="Add(in BuiltAuditRecord)"/> is called in order by one writer; this base keeps the entries
/// (<see cref="Entries"/>); a store that encodes as records come overrides <see cref="Encode"/> and keeps its encoding instead.
/// </summary>
public class AuditBatch : IDisposable
{
    private readonly List<AuditEntry> _entries = [];

    /// <summary>Adds a record the writer just built (its event still in the builder's buffer).</summary>
    public void Add(in BuiltAuditRecord record)
    {
        if (Sealed) throw new InvalidOperationException("A batch whose write has begun takes no more records.");
        Encode(record);
        Count++;
    }

    /// <summary>The records added so far.</summary>
    public int Count { get; private set; }

    /// <summary>The entries, when this batch keeps them (the base class does).</summary>
    public IReadOnlyList<AuditEntry> Entries => _entries;

    /// <summary>True once a write has begun: the batch is then written as it is, however often that is tried.</summary>
    public bool Sealed { get; private set; }

    public void Add(AuditEntry entry) => Add(new BuiltAuditRecord(entry));

    /// <summary>Marks the batch as being written; a store calls it when its write begins.</summary>
    public void Seal()
    {
        if (Sealed) return;
        Sealed = true;
        OnSealed();
    }

    /// <summary>Keeps the record (as an <see cref="AuditEntry"/>); a store that encodes as records come overrides this and copies what it needs.</summary>
    protected virtual void Encode(in BuiltAuditRecord record) => _entries.Add(record.ToEntry());

    protected virtual void OnSealed()
    {
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>
/// The memory store (<c>--storage memory</c>): volatile, as the keys are, and bounded: it keeps the newest
/// <see cref="Capacity"/> records (default 200,000, a few hundred MB at most) and forgets older ones, so a long run
/// under load does not grow without end.
/// </summary>
public sealed class MemoryAuditStore(int capacity = MemoryAuditStore.DefaultCapacity) : IAuditStore
{
    public const int DefaultCapacity = 200_000;

    private readonly Queue<AuditEntry> _entries = new();
    private readonly Lock _lock = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancel)
    {
        lock (_lock)
        {
            foreach (var entry in entries)
            {
                if (_entries.Count == Capacity) _entries.Dequeue();
                _entries.Enqueue(entry);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> LookupAsync(AuditQuery query, CancellationToken cancel)
    {
        lock (_lock) return Task.FromResult(query.Arrange(_entries.Where(query.Matches).ToList()));
    }
}
