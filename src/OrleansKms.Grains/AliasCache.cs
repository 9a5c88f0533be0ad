using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrleansKms.Grains;

/// <summary>
/// One per silo: where each alias points, so an alias resolves without a grain call or storage read per request.
/// Same rules as <see cref="KeySnapshotCache"/>: pushed by the AliasGrain on every change, fetched on a miss, fetched
/// again when older than <see cref="KmsGrainOptions.SnapshotMaxAge"/>, never replaced by an older version, and bounded
/// the same way (<see cref="KmsGrainOptions.CacheIdleTime"/>, <see cref="KmsGrainOptions.KeyCacheCapacity"/> aliases).
/// A missing alias is cached too (as no target), so a new alias is pushed like any change.
/// </summary>
public sealed class AliasCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _aliases = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxAge;
    private readonly TimeSpan _idle;
    private readonly int _capacity;
    private readonly ITimer _sweep;
    private int _trimming;

    public AliasCache(IGrainFactory grains, [FromKeyedServices(KmsTime.ServiceKey)] TimeProvider time, IOptions<KmsGrainOptions> options)
    {
        (_grains, _time) = (grains, time);
        _maxAge = options.Value.SnapshotMaxAge;
        _idle = options.Value.CacheIdleTime;
        _capacity = options.Value.KeyCacheCapacity;
        var period = CacheBounds.SweepPeriod(_idle);
        _sweep = time.CreateTimer(static self => ((AliasCache)self!).RemoveIdle(), this, period, period);
    }

    public int Count => _aliases.Count;

    /// <summary>The key an alias names; NotFoundException if it names none.</summary>
    public async ValueTask<KeyArn> ResolveAsync(string accountId, string region, string aliasName)
    {
        var arn = AliasNames.Arn(accountId, region, aliasName);
        var now = _time.GetTimestamp();
        if (!_aliases.TryGetValue(arn, out var cached) || _time.GetElapsedTime(cached.ConfirmedAt, now) >= _maxAge)
        {
            var target = await _grains.GetGrain<IAliasGrain>(AliasNames.GrainKey(accountId, region, aliasName)).GetTargetAsync();
            cached = Apply(target);
        }

        cached.LastUsed = now;
        return cached.Target.TargetKeyId is { } keyId ? new KeyArn(region, accountId, keyId) : throw AliasNames.NotFound(arn);
    }

    public Entry Apply(AliasTarget target)
    {
        var now = _time.GetTimestamp();
        var entry = _aliases.AddOrUpdate(target.AliasArn, static (_, a) => new Entry(a.Target, a.Now),
            static (_, existing, a) => existing.Target.Version > a.Target.Version ? existing : new Entry(a.Target, a.Now) { LastUsed = existing.LastUsed },
            (Target: target, Now: now));
        if (_aliases.Count > _capacity && Interlocked.Exchange(ref _trimming, 1) == 0)
        {
            CacheBounds.TrimToCapacity(_aliases, static e => e.LastUsed, _capacity, static _ => { });
            Volatile.Write(ref _trimming, 0);
        }

        return entry;
    }

    /// <summary>Drops the aliases no request resolved for <see cref="KmsGrainOptions.CacheIdleTime"/> (the sweep does this periodically).</summary>
    public int RemoveIdle() =>
        CacheBounds.RemoveIdle(_aliases, static e => e.LastUsed, _time.GetTimestamp() - (long)(_idle.TotalSeconds * _time.TimestampFrequency), static _ => { });

    public void Dispose() => _sweep.Dispose();

    /// <summary>Where an alias pointed when this silo last heard (TimeProvider timestamps).</summary>
    public sealed class Entry(AliasTarget target, long confirmedAt)
    {
        public AliasTarget Target { get; } = target;

        public long ConfirmedAt { get; } = confirmedAt;

        /// <summary>When a request last resolved the alias here (starts at its arrival).</summary>
        public long LastUsed { get; set; } = confirmedAt;
    }
}
