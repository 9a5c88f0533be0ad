using System.Collections.Concurrent;
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
/// counter per (account, Region, hour, key, operation, principal, detail): no I/O, no allocation beyond the key ARN.
/// Every <see cref="KmsCostOptions.FlushInterval"/>, when a bill is asked for, and on a clean stop, the counters that
/// changed are written as this process's running totals (<see cref="UsageRow"/>), so a retried or partial flush is
/// harmless. A crash loses the counts since the last flush: at most one interval of requests.
/// Only successful requests of an authenticated caller are metered (see docs/cost.md).
/// </summary>
public sealed class UsageMeter : BackgroundWriter, IKmsRequestObserver
{
    private readonly ConcurrentDictionary<UsageDimension, Counter> _counters = new();
    private readonly IUsageStore _store;
    private readonly KmsCostOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<UsageMeter> _logger;
    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>Counts in the hours of <paramref name="clock"/>: the KMS clock (keyed <see cref="KmsTime.ServiceKey"/>).</summary>
    public UsageMeter(IUsageStore store, IOptions<KmsCostOptions> options, ILogger<UsageMeter> logger, TimeProvider? clock = null)
    {
        _store = store;
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
        var dimension = new UsageDimension(region, caller.AccountId, hour, key, record.Operation, caller.PrincipalArn, detail);
        var counter = _counters.GetOrAdd(dimension, static _ => new Counter());
        Interlocked.Increment(ref counter.Total);
    }

    /// <summary>Counts not yet written (tests, and the stop's log line).</summary>
    public long Unwritten => _counters.Values.Sum(c => Volatile.Read(ref c.Total) - Volatile.Read(ref c.Written));

    /// <summary>Counters held in memory (one per account, Region, hour and dimensions seen recently).</summary>
    public int Tracked => _counters.Count;

    /// <summary>Writes every counter that changed since its last write; forgets hours long over once written.</summary>
    public override async Task FlushAsync(CancellationToken cancel)
    {
        await _flushing.WaitAsync(cancel);
        try
        {
            var batch = new List<(Counter Counter, long Total, UsageRow Row)>();
            foreach (var (d, counter) in _counters)
            {
                var total = Volatile.Read(ref counter.Total);
                if (total == counter.Written) continue;
                batch.Add((counter, total, new UsageRow(d.Region, d.Account, new DateTimeOffset(d.HourTicks, TimeSpan.Zero), Writer, d.Key, d.Operation, d.Principal, d.Detail, total)));
            }

            if (batch.Count > 0)
            {
                await _store.WriteAsync([.. batch.Select(b => b.Row)], cancel);
                foreach (var (counter, total, _) in batch) Volatile.Write(ref counter.Written, total);
            }

            // An hour two hours gone gets no more requests (a request is counted in the hour it is answered): drop it once written.
            var old = _clock.GetUtcNow().UtcTicks - 2 * TimeSpan.TicksPerHour;
            foreach (var (d, counter) in _counters)
                if (d.HourTicks < old && Volatile.Read(ref counter.Total) == counter.Written) _counters.TryRemove(d, out _);
        }
        finally
        {
            _flushing.Release();
        }
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

    private readonly record struct UsageDimension(string Region, string Account, long HourTicks, string Key, string Operation, string Principal, string Detail);

    private sealed class Counter
    {
        public long Total;
        public long Written;
    }
}
