using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansKms.Gateway.Regions;

namespace OrleansKms.Gateway.Usage;

/// <summary>
/// Keeps, per key, the last successful cryptographic operation this gateway answered (GetKeyLastUsage), in memory, and
/// reports the newest of each key to its KeyGrain every <see cref="FlushInterval"/> and when the gateway stops. No
/// request waits on it: <see cref="Observe"/> only updates a dictionary. So GetKeyLastUsage can lag the truth by one
/// interval plus the flush's own time, and a gateway that crashes loses at most the usage of its last interval.
/// </summary>
public sealed class KeyLastUsageRecorder(IKmsRegions regions, ILogger<KeyLastUsageRecorder> logger) : IKmsRequestObserver, IHostedService, IAsyncDisposable
{
    /// <summary>How often the pending usage goes to the keys: the bound on how stale GetKeyLastUsage is.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);

    /// <summary>The operations GetKeyLastUsage reports (the model's KeyLastUsageTrackingOperation).</summary>
    public static readonly FrozenSet<string> TrackedOperations = new[]
    {
        "Decrypt", "DeriveSharedSecret", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext", "GenerateMac", "ReEncrypt", "Sign", "Verify", "VerifyMac",
    }.ToFrozenSet(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<(string Region, string KeyArn), KeyLastUsage> _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private int _disposed;

    public void Observe(KmsRequestRecord record)
    {
        if (!record.Succeeded || record.Region is not { } region || record.ResponseBody is not { } body) return;
        if (!TrackedOperations.Contains(record.Operation)) return;
        var usage = new KeyLastUsage(record.Operation, record.Time, record.RequestId) { EventId = record.EventId };
        Record(region, record.AnswerKeyId, usage);
        if (record.Operation == "ReEncrypt") Record(region, AnswerMembers.Interned(AnswerMembers.Find(body, "\"SourceKeyId\":\""u8)), usage);
    }

    private void Record(string region, string keyArn, KeyLastUsage usage)
    {
        if (keyArn.Length == 0) return;
        _pending.AddOrUpdate((region, keyArn), static (_, u) => u, static (_, known, u) => u.Timestamp >= known.Timestamp ? u : known, usage);
    }

    /// <summary>Reports every pending usage to its key now (the timer does this every interval; tests may call it).</summary>
    public async Task FlushAsync(CancellationToken cancel = default)
    {
        await _flushing.WaitAsync(cancel);
        try
        {
            var batch = new List<((string Region, string KeyArn) Key, KeyLastUsage Usage)>();
            foreach (var key in _pending.Keys)
                if (_pending.TryRemove(key, out var usage)) batch.Add((key, usage));
            await Task.WhenAll(batch.Select(entry => ReportAsync(entry.Key, entry.Usage, cancel)));
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task ReportAsync((string Region, string KeyArn) key, KeyLastUsage usage, CancellationToken cancel)
    {
        try
        {
            var region = await regions.GetAsync(key.Region, cancel);
            await region.Grains.GetGrain<IKeyGrain>(key.KeyArn).RecordLastUsageAsync(usage);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            // Kept for the next flush unless something newer came meanwhile.
            _pending.AddOrUpdate(key, usage, (_, known) => known.Timestamp >= usage.Timestamp ? known : usage);
            logger.LogWarning(e, "Could not record the last usage of {KeyArn}; will retry", key.KeyArn);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = RunAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping)) await FlushAsync(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops the timer and flushes what is pending, so a clean stop loses nothing.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is not null) await _loop;
        await FlushAsync(cancellationToken);
    }

    /// <summary>Idempotent: the container disposes the one instance once per registration (observer, hosted service, itself).</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
