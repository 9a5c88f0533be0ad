using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansKms.Gateway.Cost;

/// <summary>Settings of usage metering (<c>kms cost</c>).</summary>
public sealed class KmsCostOptions
{
    /// <summary>How often counts are written to storage: the bound on how stale another process's counts are. Default 5 s.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Azure Table name of us-east-1's counts; other Regions add their compact name (<c>kmsusageeuwest1</c>). Default kmsusage.</summary>
    public string TableName { get; set; } = "kmsusage";

    /// <summary>The prices bills use. Default null: AWS's (<see cref="PriceTable.Aws"/>, the embedded data file).</summary>
    public PriceTable? Prices { get; set; }
}

/// <summary>
/// Meters requests for the bill. <see cref="Observe"/> only finds the key in the answer and increments an in-memory
/// counter per (account, Region, hour, key, operation, principal, detail): no I/O, no allocation beyond the key ARN and,
/// for a row not counted in the last <see cref="RetireAfter"/>, its counter. Every <see cref="KmsCostOptions.FlushInterval"/>,
/// when a bill is asked for, and on a clean stop, the counters that changed are written as this process's running
/// totals (<see cref="UsageRow"/>), so a retried or partial flush is harmless. A crash loses the counts since the last
/// flush: at most one interval of requests.
/// <para>
/// A counter that is written and has counted nothing for <see cref="RetireAfter"/> is retired: it leaves the counters,
/// and its count is kept as a number (<see cref="UsageCountTable"/>, 32 bytes a row), or, when the store answers counts
/// from memory (<see cref="IUsageCountLookup"/>, the memory store), not kept at all. If its row is counted again, the new
/// counter starts from that count at its first flush. So an idle gateway holds no counter objects and no copy of their
/// texts (a key ARN is held by the store's row, not also by the meter) (docs/performance.md, "Memory").
/// </para>
/// Only successful requests of an authenticated caller are metered (see docs/cost.md).
/// </summary>
public sealed class UsageMeter : BackgroundWriter, IKmsRequestObserver
{
    /// <summary>How long a written counter must have counted nothing before it is retired.</summary>
    public static readonly TimeSpan RetireAfter = TimeSpan.FromMinutes(1);

    /// <summary>A retired counter's <see cref="Counter.Total"/>: an increment leaves it negative, so the request counts again in a new counter.</summary>
    private const long Retired = long.MinValue;

    private static readonly Func<UsageDimensions, Counter> NewCounter = static _ => new Counter();

    private readonly ConcurrentDictionary<UsageDimensions, Counter> _counters = new();
    private readonly IUsageStore _store;
    private readonly IUsageCountLookup? _storeCounts;

    /// <summary>The written counts of retired counters, when the store cannot answer them (<see cref="_storeCounts"/> null). Used by flushes only.</summary>
    private readonly UsageCountTable _retired = new();

    private readonly KmsCostOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<UsageMeter> _logger;
    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>Counts in the hours of <paramref name="clock"/>: the KMS clock (keyed <see cref="KmsTime.ServiceKey"/>).</summary>
    public UsageMeter(IUsageStore store, IOptions<KmsCostOptions> options, ILogger<UsageMeter> logger, TimeProvider? clock = null)
    {
        _store = store;
        _storeCounts = store as IUsageCountLookup;
        _options = options.Value;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>This process's name in the rows it writes: new at every start, so processes never share a row.</summary>
    public string Writer { get; } = Guid.NewGuid().ToString("N")[..16];

    public IUsageStore Store => _store;

    public void Observe(KmsRequestRecord record)
    {
        if (!record.Succeeded || record.Region is not { } region || record.Identity is not { } caller) return;
        var (key, detail) = record.ResponseBody is { } body ? KeyOf(record, body) : ("", "");
        // The KMS clock, the one keys' creation and deletion dates come from (the record's time is the gateway's wall clock).
        var now = _clock.GetUtcNow().UtcTicks;
        var hour = now - now % TimeSpan.TicksPerHour;
        var dimensions = new UsageDimensions(region, caller.AccountId, hour, key, record.Operation, caller.PrincipalArn, detail);
        var counter = _counters.GetOrAdd(dimensions, NewCounter);
        if (Interlocked.Increment(ref counter.Total) < 0) CountAgain(dimensions, counter);
    }

    /// <summary>The counter was retired by a flush after it was looked up: the request counts in the row's next counter.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CountAgain(UsageDimensions dimensions, Counter retired)
    {
        var counter = retired;
        do
        {
            _counters.TryRemove(KeyValuePair.Create(dimensions, counter));
            counter = _counters.GetOrAdd(dimensions, NewCounter);
        }
        while (Interlocked.Increment(ref counter.Total) < 0);
    }

    /// <summary>Counts not yet written (tests, and the stop's log line).</summary>
    public long Unwritten => _counters.Values.Sum(c => Volatile.Read(ref c.Total) is var total and >= 0 ? total - Volatile.Read(ref c.Written) : 0);

    /// <summary>Counter objects held in memory (one per row counted in the last <see cref="RetireAfter"/> or not yet written).</summary>
    public int Tracked => _counters.Count;

    /// <summary>Rows of retired counters whose counts the meter keeps itself (none when the store answers them).</summary>
    public int RetiredRows => _retired.Count;

    /// <summary>Writes every counter that changed since its last write; retires counters that counted nothing for a while.</summary>
    public override async Task FlushAsync(CancellationToken cancel)
    {
        await _flushing.WaitAsync(cancel);
        try
        {
            var now = _clock.GetUtcNow().UtcTicks;
            var batch = new List<(Counter Counter, long Total, UsageRow Row)>();
            foreach (var (d, counter) in _counters)
            {
                if (counter.ChangedAt == 0) Resume(d, counter, now);
                var total = Volatile.Read(ref counter.Total);
                if (total < 0 || total == counter.Written) continue;
                batch.Add((counter, total, new UsageRow(d.Region, d.AccountId, new DateTimeOffset(d.HourTicks, TimeSpan.Zero), Writer, d.KeyArn, d.Operation, d.Principal, d.Detail, total)));
            }

            if (batch.Count > 0)
            {
                await _store.WriteAsync([.. batch.Select(b => b.Row)], cancel);
                foreach (var (counter, total, _) in batch)
                {
                    Volatile.Write(ref counter.Written, total);
                    counter.ChangedAt = now;
                }
            }

            Retire(now);
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>A new counter's first flush: it continues the row's count, if a retired counter wrote one.</summary>
    private void Resume(UsageDimensions d, Counter counter, long now)
    {
        var written = _storeCounts?.CountOf(Writer, d) ?? (_retired.TryGet(Writer, d, out var kept) ? kept : 0);
        if (written > 0)
        {
            Interlocked.Add(ref counter.Total, written);
            Volatile.Write(ref counter.Written, written);
        }

        counter.ChangedAt = now;
    }

    /// <summary>
    /// Removes the counters written and quiet for <see cref="RetireAfter"/>, keeping their counts unless the store does;
    /// forgets the kept counts of hours two hours gone (a request is counted in the hour it is answered).
    /// </summary>
    private void Retire(long now)
    {
        foreach (var (d, counter) in _counters)
        {
            var written = Volatile.Read(ref counter.Written);
            if (counter.ChangedAt == 0 || now - counter.ChangedAt < RetireAfter.Ticks) continue;
            // Only if nothing was counted since the write: from here an increment finds it retired and counts elsewhere.
            if (Interlocked.CompareExchange(ref counter.Total, Retired, written) != written) continue;
            _counters.TryRemove(KeyValuePair.Create(d, counter));
            if (_storeCounts is null) _retired.Set(Writer, d, written);
        }

        _retired.RemoveHoursBefore(now - 2 * TimeSpan.TicksPerHour);
    }

    /// <summary>
    /// The key ARN a request's answer names (KeyId, or KeyMetadata's Arn), and the spec that prices it (KeyPairSpec of
    /// GenerateDataKeyPair, KeySpec of GetPublicKey), found by <see cref="AnswerMembers"/> (no JSON parse).
    /// </summary>
    private static (string Key, string Detail) KeyOf(KmsRequestRecord record, ReadOnlySpan<byte> body)
    {
        var key = record.AnswerKeyId;
        if (!key.StartsWith("arn:", StringComparison.Ordinal)) key = AnswerMembers.Interned(AnswerMembers.Find(body, "\"Arn\":\""u8)); // KeyMetadata: its KeyId is the bare id
        var detail = PriceClasses.IsDataKeyPair(record.Operation) ? AnswerMembers.Find(body, "\"KeyPairSpec\":\""u8)
            : record.Operation == "GetPublicKey" ? AnswerMembers.Find(body, "\"KeySpec\":\""u8)
            : default;
        return (key, AnswerMembers.Interned(detail));
    }

    protected override async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.FlushInterval, _clock, stopping);
                await FlushAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Usage counts could not be written; will retry");
            }
        }
    }

    protected override void ReportUnwritten(Exception failure) =>
        _logger.LogError(failure, "Usage meter stopped with {Count} requests unwritten", Unwritten);

    private sealed class Counter
    {
        /// <summary>Requests counted, from the row's count before this counter once resumed; <see cref="Retired"/> once retired.</summary>
        public long Total;

        /// <summary>Of <see cref="Total"/>, what is stored.</summary>
        public long Written;

        /// <summary>Clock ticks of the flush that last wrote it (or resumed it); 0 until its first flush.</summary>
        public long ChangedAt;
    }
}
