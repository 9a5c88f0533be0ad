using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansKms.Crypto;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.Grains;

/// <summary>A key as one silo's crypto workers use it: its snapshot (what the KeyGrain decided) and its unwrapped material.</summary>
public sealed record CachedKey
{
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
    public required long ConfirmedAt { get; init; }
}

/// <summary>
/// One per silo: the key snapshots its crypto workers use. A snapshot enters on a miss (fetched from the KeyGrain),
/// on a push from the KeyGrain after any change, or again once it is older than
/// <see cref="KmsGrainOptions.SnapshotMaxAge"/> (the bound for a silo a push could not reach). An older version
/// never replaces a newer one, so a fetch that races a push cannot bring back a stale snapshot.
/// </summary>
public sealed class KeySnapshotCache(
    IGrainFactory grains,
    IKeyMaterialProtector protector,
    [FromKeyedServices(KmsTime.ServiceKey)] TimeProvider time,
    IOptions<KmsGrainOptions> options,
    ILogger<KeySnapshotCache> logger)
{
    private readonly ConcurrentDictionary<string, CachedKey> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<CachedKey>> _fetches = new(StringComparer.Ordinal);
    private readonly TimeSpan _maxAge = options.Value.SnapshotMaxAge;

    public int Count => _keys.Count;

    /// <summary>True if this silo holds a snapshot of the key (fresh or not).</summary>
    public bool Contains(KeyArn arn) => _keys.ContainsKey(arn.Value);

    public ValueTask<CachedKey> GetAsync(KeyArn arn)
    {
        if (_keys.TryGetValue(arn.Value, out var cached) && time.GetElapsedTime(cached.ConfirmedAt) < _maxAge)
            return ValueTask.FromResult(cached);
        return new ValueTask<CachedKey>(FetchAsync(arn));
    }

    /// <summary>Takes a snapshot pushed by (or fetched from) its KeyGrain.</summary>
    public CachedKey Apply(KeySnapshot snapshot)
    {
        var now = time.GetTimestamp();
        return _keys.AddOrUpdate(
            snapshot.Arn.Value,
            static (_, a) => a.Self.Build(a.Snapshot, a.Now),
            static (_, existing, a) => existing.Version > a.Snapshot.Version ? existing
                : existing.Version == a.Snapshot.Version ? Reconfirm(existing, a.Now)
                : a.Self.Build(a.Snapshot, a.Now),
            (Self: this, Snapshot: snapshot, Now: now));
    }

    /// <summary>Forgets a key (it no longer exists).</summary>
    public void Remove(string keyArn) => _keys.TryRemove(keyArn, out _);

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
            var snapshot = await grains.GetGrain<IKeyGrain>(arn.Value).GetSnapshotAsync();
            return Apply(snapshot);
        }
        catch (KmsException e) when (e.Code == KmsErrorCode.NotFoundException)
        {
            Remove(arn.Value);
            throw;
        }
    }

    private static CachedKey Reconfirm(CachedKey existing, long now) => existing with { ConfirmedAt = now };

    private CachedKey Build(KeySnapshot snapshot, long now)
    {
        logger.LogDebug("Caching {KeyArn} version {Version}", snapshot.Arn.Value, snapshot.Version);
        var kind = KeySpecCatalog.Get(snapshot.KeySpec).Kind;
        return new CachedKey
        {
            Snapshot = snapshot,
            Symmetric = kind == KeyMaterialKind.Symmetric ? UnwrapSymmetric(snapshot) : null,
            Asymmetric = kind == KeyMaterialKind.Asymmetric ? UnwrapAsymmetric(snapshot) : null,
            Hmac = kind == KeyMaterialKind.Hmac ? UnwrapCurrent(snapshot) : null,
            ConfirmedAt = now,
        };
    }

    private SecretBytes? UnwrapCurrent(KeySnapshot snapshot) =>
        snapshot.Materials.FirstOrDefault(m => m.KeyMaterialId == snapshot.CurrentKeyMaterialId) is { } m ? protector.Unwrap(m, snapshot.Arn) : null;

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
            var v = new SymmetricKeyVersion(Convert.FromHexString(m.KeyMaterialId), protector.Unwrap(m, snapshot.Arn));
            versions.Add(v);
            if (m.KeyMaterialId == snapshot.CurrentKeyMaterialId) current = v;
        }

        return current is null ? null : new SymmetricKeyMaterialSet(versions, current);
    }
}
