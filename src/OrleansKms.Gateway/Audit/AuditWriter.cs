using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansKms.Gateway.Audit;

/// <summary>Settings of the audit trail.</summary>
public sealed class KmsAuditOptions
{
    /// <summary>The longest a record waits in the buffer before it is written. Default 200 ms.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A write starts as soon as this many records are built and waiting, and takes at most this many. Default 5,000:
    /// each storage write has a large fixed cost (the storage client, and above all the emulator), so a busy gateway
    /// writes a few large batches a second.
    /// </summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>Records the buffer holds; beyond it (storage down for long) new records are dropped and logged. Default 100,000.</summary>
    public int Capacity { get; set; } = 100_000;

    /// <summary>Whether each record is also written as a log record (category <see cref="AuditLog.Category"/>), for OpenTelemetry logs. Default false.</summary>
    public bool LogRecords { get; set; }

    /// <summary>Azure Table name of us-east-1's records; other Regions add their compact name (<c>kmsauditeuwest1</c>). Default kmsaudit.</summary>
    public string TableName { get; set; } = "kmsaudit";
}

/// <summary>
/// The audit trail's request observer and background writer. <see cref="Observe"/> only puts the request in a
/// bounded queue (no parsing, no I/O and no lock on the request's path: a lock-free queue and a counter, as request
/// threads on every core add to it while the writer takes from it); the writer builds the CloudTrail records of what waits
/// every few milliseconds, in arrival order, and stores them as one batch every <see cref="KmsAuditOptions.FlushInterval"/>
/// (sooner when <see cref="KmsAuditOptions.BatchSize"/> are ready). A failed write is retried, in order, until it
/// succeeds or the host stops. On a clean stop (after the server has stopped taking requests) everything still
/// waiting is written. A crash loses what waits in the channel: at most about one flush interval of records.
/// </summary>
public sealed class AuditWriter : BackgroundWriter, IKmsRequestObserver, IKmsServiceEvents
{
    private readonly ConcurrentQueue<AuditItem> _queue = new();
    private int _waiting; // items in the queue, counted before they go in and after they come out
    private readonly IAuditStore _store;
    private readonly AuditRecordBuilder _builder;
    private readonly KmsAuditOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<AuditWriter> _logger;
    private readonly SemaphoreSlim _drain = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private AuditBatch _pending;
    private long _sequence;
    private long _dropped;

    private readonly ILogger? _log;

    public AuditWriter(IAuditStore store, AuditRecordBuilder builder, IOptions<KmsAuditOptions> options, ILogger<AuditWriter> logger,
        ILoggerFactory? loggers = null, TimeProvider? clock = null)
    {
        _log = options.Value.LogRecords ? loggers?.CreateLogger(AuditLog.Category) : null;
        _store = store;
        _builder = builder;
        _options = options.Value;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
        _pending = store.StartBatch();
    }

    public IAuditStore Store => _store;

    /// <summary>Records dropped because the buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Items in the queue (one being added may be counted a moment before it can be taken).</summary>
    private int Waiting => Volatile.Read(ref _waiting);

    public void Observe(KmsRequestRecord record) => Enqueue(new AuditItem(record, null), record.RequestId);

    /// <summary>Something the service did on its own (rotation, deletion, expiry): recorded as an AwsServiceEvent.</summary>
    public void Record(KmsServiceEvent serviceEvent) => Enqueue(new AuditItem(null, serviceEvent), serviceEvent.EventName);

    private void Enqueue(AuditItem item, string what)
    {
        var waiting = Interlocked.Increment(ref _waiting);
        if (waiting > _options.Capacity)
        {
            Interlocked.Decrement(ref _waiting);
            if (Interlocked.Increment(ref _dropped) % 1000 == 1)
                _logger.LogError("Audit buffer full ({Capacity} records): audit record of {What} dropped", _options.Capacity, what);
            return;
        }

        _queue.Enqueue(item);
        if (waiting >= BuildChunk && _wake.CurrentCount == 0)
        {
            try { _wake.Release(); } catch (SemaphoreFullException) { }
        }
    }

    /// <summary>
    /// Writes everything observed so far (a lookup calls it first, so it sees every answered request). A batch that
    /// failed stays first in line, so records are stored in order; cancelling stops the retries, not the batch.
    /// </summary>
    public override async Task FlushAsync(CancellationToken cancel)
    {
        await _drain.WaitAsync(cancel);
        try
        {
            // What waits when the flush begins; what comes during it waits for the next one. Draining "until empty"
            // would, under load, never stop and write a trickle of tiny batches, each a storage round trip.
            var waiting = Waiting;
            for (var attempt = 1; _pending.Count > 0 || waiting > 0;)
            {
                if (!_pending.Sealed)
                {
                    var wanted = Math.Min(waiting, _options.BatchSize - _pending.Count);
                    var took = Take(wanted);
                    waiting = wanted > 0 && took == 0 ? 0 : waiting - took; // (nothing left to take: done)
                }

                if (await TryWritePendingAsync(cancel))
                {
                    attempt = 1;
                    continue;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * attempt++)), _clock, cancel);
            }
        }
        finally
        {
            _drain.Release();
        }
    }

    /// <summary>Builds the records of up to <paramref name="count"/> waiting items into the pending batch; returns how many it took.</summary>
    private int Take(int count)
    {
        var taken = 0;
        while (taken < count && !_pending.Sealed && _queue.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref _waiting);
            taken++;
            try
            {
                var sequence = Interlocked.Increment(ref _sequence);
                // Built into this thread's buffer and added to the batch from there (a compressing store copies nothing).
                var built = item.Request is { } request ? _builder.BuildRecord(request, sequence) : _builder.BuildRecord(item.Service!, sequence);
                _pending.Add(built);
                if (_log is not null)
                    AuditLog.Record(_log, built.EventName, built.EventId, built.Region, built.AccountId, System.Text.Encoding.UTF8.GetString(built.Utf8Json));
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Audit record of {RequestId} could not be built", item.Request?.RequestId ?? item.Service?.EventName);
            }
        }

        return taken;
    }

    private async Task<bool> TryWritePendingAsync(CancellationToken cancel)
    {
        if (_pending.Count == 0) return true;
        try
        {
            await _store.WriteAsync(_pending, cancel);
            _pending.Dispose();
            _pending = _store.StartBatch();
            return true;
        }
        catch (Exception e)
        {
            cancel.ThrowIfCancellationRequested();
            _logger.LogWarning(e, "Audit write of {Count} records failed; retrying", _pending.Count);
            return false;
        }
    }

    /// <summary>The writer builds records this often (or when <see cref="BuildChunk"/> wait), between writes.</summary>
    private static readonly TimeSpan BuildInterval = TimeSpan.FromMilliseconds(20);

    private const int BuildChunk = 512;

    /// <summary>
    /// Builds what waits every <see cref="BuildInterval"/> (or as soon as <see cref="BuildChunk"/> wait), so the
    /// requests' bodies are let go young and the work comes in small slices rather than one burst per write, and writes
    /// the built records when <see cref="KmsAuditOptions.BatchSize"/> are ready or <see cref="KmsAuditOptions.FlushInterval"/>
    /// has passed since the last write. A failed write is retried with a growing pause, in order.
    /// </summary>
    protected override async Task RunAsync(CancellationToken stopping)
    {
        Task? wake = null; // one waiter at a time: a new one per turn would pile up while no batch fills
        var lastWrite = _clock.GetTimestamp();
        var retryAt = 0L;
        var attempt = 0;
        var tick = BuildInterval < _options.FlushInterval ? BuildInterval : _options.FlushInterval;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (wake is null || wake.IsCompleted) wake = _wake.WaitAsync(stopping);
                await Task.WhenAny(Task.Delay(tick, _clock, stopping), wake);
                await _drain.WaitAsync(stopping);
                try
                {
                    Take(Math.Min(Waiting, _options.BatchSize - _pending.Count)); // (none while a failed batch waits for its retry)
                    var now = _clock.GetTimestamp();
                    var due = _pending.Count >= _options.BatchSize || (_pending.Count > 0 && _clock.GetElapsedTime(lastWrite, now) >= _options.FlushInterval);
                    if (due && now >= retryAt)
                    {
                        if (await TryWritePendingAsync(stopping))
                        {
                            lastWrite = _clock.GetTimestamp();
                            attempt = 0;
                        }
                        else
                        {
                            retryAt = now + (long)(Math.Min(5000, 100 * ++attempt) / 1000.0 * _clock.TimestampFrequency);
                        }
                    }
                }
                finally
                {
                    _drain.Release();
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Audit writer failed; continuing");
            }
        }
    }

    protected override void ReportUnwritten(Exception failure) =>
        _logger.LogError(failure, "Audit writer stopped with {Count} records unwritten: the store did not accept them within {Limit}",
            _pending.Count + Waiting, FinalFlushLimit);

    protected override void ReportStopped() => _logger.LogDebug("Audit writer stopped; every buffered record written");
}

/// <summary>A request or a service event waiting to be recorded.</summary>
internal readonly record struct AuditItem(KmsRequestRecord? Request, KmsServiceEvent? Service);

/// <summary>
/// Audit records as log records (category <see cref="Category"/>), for OpenTelemetry: with an OTLP endpoint
/// configured every record is also exported as a log record whose attributes are the event's name, id, Region and
/// account and the CloudTrail event itself (<c>CloudTrailEvent</c>, JSON). The service keeps this category away from
/// the console.
/// </summary>
public static partial class AuditLog
{
    public const string Category = "OrleansKms.Audit";

    [LoggerMessage(EventId = 1, EventName = "AuditRecord", Level = LogLevel.Information,
        Message = "{EventName} {EventId} in {AwsRegion} for {RecipientAccountId}: {CloudTrailEvent}")]
    public static partial void Record(ILogger logger, string eventName, string eventId, string awsRegion, string? recipientAccountId, string cloudTrailEvent);
}
