using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansKms.Crypto;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.Grains;

/// <summary>
/// A key as one silo's crypto workers use it: its snapshot (what the KeyGrain decided) and its unwrapped material.
/// The material is zeroed once the cache has dropped the key (idle, over capacity, replaced by a newer version,
/// deleted) and no <see cref="KeyLease"/> on it is left: read the material only while holding a lease.
/// </summary>
public sealed class CachedKey
{
    // The cache's own hold plus one per lease; at 0 the material is zeroed and the key can no longer be leased.
    private int _holders = 1;
    private long _confirmedAt;
    private long _lastUsed;

    public required KeySnapshot Snapshot { get; init; }

    public KeyArn Arn => Snapshot.Arn;

    public long Version => Snapshot.Version;

    public KeyStateKind KeyState => Snapshot.KeyState;

    public string KeyUsage => Snapshot.KeyUsage;

    public string KeySpec => Snapshot.KeySpec;

    /// <summary>The current key material id (hex).</summary>
    public string? CurrentKeyMaterialId => Snapshot.CurrentKeyMaterialId;

    /// <summary>Every material version of a symmetric key, else null.</summary>
    public SymmetricKeyMaterialSet? Symmetric { get; init; }

    /// <summary>The private key of an asymmetric key (RSA, ECC, ML-DSA, SM2), else null.</summary>
    public AsymmetricKey? Asymmetric { get; init; }

    /// <summary>The secret of an HMAC key, else null.</summary>
    public SecretBytes? Hmac { get; init; }

    /// <summary>When this silo last heard this version from the KeyGrain (TimeProvider timestamp).</summary>
    public required long ConfirmedAt { get => Volatile.Read(ref _confirmedAt); init => _confirmedAt = value; }

    /// <summary>When a request last used the key on this silo (TimeProvider timestamp): what the cache's bounds go by.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    /// <summary>True once the material has been zeroed (the cache dropped the key and every lease ended).</summary>
    public bool IsZeroed => Volatile.Read(ref _holders) == 0;

    internal void Confirm(long now) => Volatile.Write(ref _confirmedAt, now);

    internal void Touch(long now) => Volatile.Write(ref _lastUsed, now);

    /// <summary>One more hold, unless the material is already zeroed.</summary>
    internal bool TryHold()
    {
        for (var holders = Volatile.Read(ref _holders); holders > 0; holders = Volatile.Read(ref _holders))
        {
            if (Interlocked.CompareExchange(ref _holders, holders + 1, holders) == holders) return true;
        }

        return false;
    }

    /// <summary>Ends a hold; the last one zeroes the material.</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref _holders) != 0) return;
        if (Symmetric is { } symmetric)
        {
            foreach (var version in symmetric.Versions) version.Dispose();
        }

        Asymmetric?.Dispose();
        Hmac?.Dispose();
    }
}

/// <summary>
/// A hold on a cached key for one operation: its material stays intact until the lease is disposed, even if the
/// cache drops the key meanwhile. Dispose it once (a <c>using</c>) when the operation no longer needs the material.
/// </summary>
public readonly struct KeyLease : IDisposable
{
    internal KeyLease(CachedKey key) => Key = key;

    public CachedKey Key { get; }

    public void Dispose() => Key?.Release();
}

/// <summary>
/// One per silo: the key snapshots its crypto workers use. A snapshot enters on a miss (fetched from the KeyGrain),
/// on a push from the KeyGrain after any change, or again once it is older than
/// <see cref="KmsGrainOptions.SnapshotMaxAge"/> (the bound for a silo a push could not reach). An older version
/// never replaces a newer one, so a fetch that races a push cannot bring back a stale snapshot. Bounded: a key unused
/// for <see cref="KmsGrainOptions.CacheIdleTime"/> leaves, and past <see cref="KmsGrainOptions.KeyCacheCapacity"/>
/// keys the least recently used leave (<see cref="CacheBounds"/>); a key that leaves, or is replaced by a newer
/// version, has its material zeroed as soon as the last request using it (its <see cref="KeyLease"/>) is done.
/// </summary>
public sealed class KeySnapshotCache : IDisposable
{
    private readonly ConcurrentDictionary<string, CachedKey> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<CachedKey>> _fetches = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains;
    private readonly IKeyMaterialProtector _protector;
    private readonly TimeProvider _time;
    private readonly ILogger<KeySnapshotCache> _logger;
    private readonly TimeSpan _maxAge;
    private readonly TimeSpan _idle;
    private readonly int _capacity;
    private readonly ITimer _sweep;
    private int _trimming;

    public KeySnapshotCache(
        IGrainFactory grains,
        IKeyMaterialProtector protector,
        [FromKeyedServices(KmsTime.ServiceKey)] TimeProvider time,
        IOptions<KmsGrainOptions> options,
        ILogger<KeySnapshotCache> logger)
    {
        (_grains, _protector, _time, _logger) = (grains, protector, time, logger);
        _maxAge = options.Value.SnapshotMaxAge;
        _idle = options.Value.CacheIdleTime;
        _capacity = options.Value.KeyCacheCapacity;
        var period = CacheBounds.SweepPeriod(_idle);
        _sweep = time.CreateTimer(static self => ((KeySnapshotCache)self!).RemoveIdle(), this, period, period);
    }

    public int Count => _keys.Count;

    /// <summary>True if this silo holds a snapshot of the key (fresh or not).</summary>
    public bool Contains(KeyArn arn) => _keys.ContainsKey(arn.Value);

    /// <summary>
    /// The key with a hold on its material for one operation (fetched from its KeyGrain on a miss or past the bound):
    /// dispose the lease when the operation is done.
    /// </summary>
    public ValueTask<KeyLease> LeaseAsync(KeyArn arn)
    {
        var now = _time.GetTimestamp();
        if (_keys.TryGetValue(arn.Value, out var cached) && _time.GetElapsedTime(cached.ConfirmedAt, now) < _maxAge && cached.TryHold())
        {
            cached.Touch(now);
            return ValueTask.FromResult(new KeyLease(cached));
        }

        return LeaseSlowAsync(arn);
    }

    /// <summary>The key's snapshot and metadata, without a hold: do not read its material (use <see cref="LeaseAsync"/>).</summary>
    public async ValueTask<CachedKey> GetAsync(KeyArn arn)
    {
        using var lease = await LeaseAsync(arn);
        return lease.Key;
    }

    private async ValueTask<KeyLease> LeaseSlowAsync(KeyArn arn)
    {
        while (true)
        {
            var key = await FetchAsync(arn);
            if (key.TryHold())
            {
                key.Touch(_time.GetTimestamp());
                return new KeyLease(key);
            }

            // Dropped and zeroed between the fetch and the hold (a sweep, a newer push): fetch again.
        }
    }

    /// <summary>Takes a snapshot pushed by (or fetched from) its KeyGrain.</summary>
    public CachedKey Apply(KeySnapshot snapshot)
    {
        var now = _time.GetTimestamp();
        var arn = snapshot.Arn.Value;
        CachedKey? built = null;
        while (true)
        {
            if (_keys.TryGetValue(arn, out var existing))
            {
                if (existing.Version >= snapshot.Version)
                {
                    if (existing.Version == snapshot.Version) existing.Confirm(now);
                    built?.Release();
                    return existing;
                }

                built ??= Build(snapshot, now);
                if (!_keys.TryUpdate(arn, built, existing)) continue;
                existing.Release();
                return built;
            }

            built ??= Build(snapshot, now);
            if (!_keys.TryAdd(arn, built)) continue;
            if (_keys.Count > _capacity) Trim();
            return built;
        }
    }

    /// <summary>Forgets a key (it no longer exists).</summary>
    public void Remove(string keyArn)
    {
        if (_keys.TryRemove(keyArn, out var removed)) removed.Release();
    }

    /// <summary>Drops the keys no request used for <see cref="KmsGrainOptions.CacheIdleTime"/> (the sweep does this periodically).</summary>
    public int RemoveIdle()
    {
        var before = _time.GetTimestamp() - (long)(_idle.TotalSeconds * _time.TimestampFrequency);
        var removed = CacheBounds.RemoveIdle(_keys, static k => k.LastUsed, before, static k => k.Release());
        if (removed > 0) _logger.LogDebug("Dropped {Count} idle keys from the snapshot cache", removed);
        return removed;
    }

    public void Dispose() => _sweep.Dispose();

    private void Trim()
    {
        if (Interlocked.Exchange(ref _trimming, 1) == 1) return;
        try
        {
            CacheBounds.TrimToCapacity(_keys, static k => k.LastUsed, _capacity, static k => k.Release());
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }

    private async Task<CachedKey> FetchAsync(KeyArn arn)
    {
        var fetch = _fetches.GetOrAdd(arn.Value, static (_, a) => a.Self.LoadAsync(a.Arn), (Self: this, Arn: arn));
        try
        {
            return await fetch;
        }
        finally
        {
            _fetches.TryRemove(new KeyValuePair<string, Task<CachedKey>>(arn.Value, fetch));
        }
    }

    private async Task<CachedKey> LoadAsync(KeyArn arn)
    {
        await Task.Yield();
        try
        {
            var snapshot = await _grains.GetGrain<IKeyGrain>(arn.Value).GetSnapshotAsync();
            return Apply(snapshot);
        }
        catch (KmsException e) when (e.Code == KmsErrorCode.NotFoundException)
        {
            Remove(arn.Value);
            throw;
        }
    }

    private CachedKey Build(KeySnapshot snapshot, long now)
    {
        _logger.LogDebug("Caching {KeyArn} version {Version}", snapshot.Arn.Value, snapshot.Version);
        var kind = KeySpecCatalog.Get(snapshot.KeySpec).Kind;
        var key = new CachedKey
        {
            Snapshot = snapshot,
            Symmetric = kind == KeyMaterialKind.Symmetric ? UnwrapSymmetric(snapshot) : null,
            Asymmetric = kind == KeyMaterialKind.Asymmetric ? UnwrapAsymmetric(snapshot) : null,
            Hmac = kind == KeyMaterialKind.Hmac ? UnwrapCurrent(snapshot) : null,
            ConfirmedAt = now,
        };
        key.Touch(now);
        return key;
    }

    private SecretBytes? UnwrapCurrent(KeySnapshot snapshot) =>
        snapshot.Materials.FirstOrDefault(m => m.KeyMaterialId == snapshot.CurrentKeyMaterialId) is { } m ? _protector.Unwrap(m, snapshot.Arn) : null;

    private AsymmetricKey? UnwrapAsymmetric(KeySnapshot snapshot)
    {
        using var pkcs8 = UnwrapCurrent(snapshot);
        return pkcs8 is null ? null : AsymmetricKey.Load(snapshot.KeySpec, pkcs8.Expose());
    }

    private SymmetricKeyMaterialSet? UnwrapSymmetric(KeySnapshot snapshot)
    {
        var versions = new List<SymmetricKeyVersion>(snapshot.Materials.Count);
        SymmetricKeyVersion? current = null;
        foreach (var m in snapshot.Materials)
        {
            var v = new SymmetricKeyVersion(Convert.FromHexString(m.KeyMaterialId), _protector.Unwrap(m, snapshot.Arn));
            versions.Add(v);
            if (m.KeyMaterialId == snapshot.CurrentKeyMaterialId) current = v;
        }

        return current is null ? null : new SymmetricKeyMaterialSet(versions, current);
    }
}
