using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Crypto;
using OrleansKms.Grains;

namespace OrleansKms.UnitTests.Grains;

/// <summary>
/// The per-silo snapshot cache: pushes and fetches, the staleness bound for a silo a push could not reach, and its
/// memory bounds (idle time, capacity) with the material of a dropped key zeroed once no request holds it.
/// </summary>
public sealed class KeySnapshotCacheTests
{
    private static readonly KeyArn Arn = new("us-east-1", "111122223333", "1234abcd-12ab-34cd-56ef-1234567890ab");
    private readonly FakeTimeProvider _time = new();
    private readonly RootKeyMaterialProtector _protector = new(new RootKeyWrapper(SecretBytes.Random(32)));
    private readonly FakeKeyGrain _grain;
    private readonly KeySnapshotCache _cache;
    private readonly KmsGrainOptions _options = new();

    public KeySnapshotCacheTests()
    {
        var grain = DispatchProxy.Create<IKeyGrain, FakeKeyGrain>();
        _grain = (FakeKeyGrain)(object)grain;
        var factory = DispatchProxy.Create<IGrainFactory, GrainFactoryProxy>();
        ((GrainFactoryProxy)(object)factory).Grain = grain;
        _cache = new KeySnapshotCache(factory, _protector, _time, Options.Create(_options), NullLogger<KeySnapshotCache>.Instance);
        _grain.Snapshot = Snapshot(1, KeyStateKind.Enabled);
    }

    private KeySnapshot Snapshot(long version, KeyStateKind state) => Snapshot(version, state, Arn);

    private KeySnapshot Snapshot(long version, KeyStateKind state, KeyArn arn)
    {
        using var material = SymmetricKeyVersion.Generate();
        return new KeySnapshot
        {
            Arn = arn,
            Version = version,
            KeyState = state,
            KeyUsage = KmsValues.EncryptDecrypt,
            KeySpec = KmsValues.SymmetricDefault,
            CurrentKeyMaterialId = material.MaterialIdHex,
            Materials = [new WrappedKeyMaterial(material.MaterialIdHex, _protector.Wrap(material.Material, arn, material.MaterialIdHex), _time.GetUtcNow())],
        };
    }

    [Fact]
    public async Task A_cached_key_is_served_without_asking_the_key_grain_within_the_bound()
    {
        await _cache.GetAsync(Arn);
        _time.Advance(_options.SnapshotMaxAge - TimeSpan.FromMilliseconds(1));
        var key = await _cache.GetAsync(Arn);
        Assert.Equal(1, _grain.SnapshotCalls);
        Assert.NotNull(key.Symmetric);
    }

    [Fact]
    public async Task A_change_that_was_not_pushed_is_seen_once_the_bound_has_passed()
    {
        await _cache.GetAsync(Arn);
        _grain.Snapshot = Snapshot(2, KeyStateKind.Disabled);

        _time.Advance(_options.SnapshotMaxAge - TimeSpan.FromMilliseconds(1));
        Assert.Equal(KeyStateKind.Enabled, (await _cache.GetAsync(Arn)).KeyState);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(KeyStateKind.Disabled, (await _cache.GetAsync(Arn)).KeyState);
        Assert.Equal(2, _grain.SnapshotCalls);
    }

    [Fact]
    public async Task A_pushed_snapshot_takes_effect_at_once_and_an_older_one_never_replaces_it()
    {
        await _cache.GetAsync(Arn);
        var disabled = Snapshot(3, KeyStateKind.Disabled);
        _cache.Apply(disabled);
        Assert.Equal(KeyStateKind.Disabled, (await _cache.GetAsync(Arn)).KeyState);

        _cache.Apply(Snapshot(2, KeyStateKind.Enabled));
        Assert.Equal(3, (await _cache.GetAsync(Arn)).Version);
        Assert.Equal(1, _grain.SnapshotCalls);
    }

    [Fact]
    public async Task A_missing_key_is_NotFoundException_and_not_cached()
    {
        _grain.Snapshot = null;
        var e = await Assert.ThrowsAsync<KmsException>(async () => await _cache.GetAsync(Arn));
        Assert.Equal(KmsErrorCode.NotFoundException, e.Code);
        _grain.Snapshot = Snapshot(1, KeyStateKind.Enabled);
        Assert.Equal(1, (await _cache.GetAsync(Arn)).Version);
    }

    private static bool AllZero(CachedKey key) => !key.Symmetric!.Current.Material.Expose().ContainsAnyExcept((byte)0);

    /// <summary>Moves the clock past the idle time and one sweep period (30 s) in steps, so the periodic sweep runs as it would.</summary>
    private void PassIdleTime()
    {
        for (var passed = TimeSpan.Zero; passed <= _options.CacheIdleTime + TimeSpan.FromSeconds(30); passed += TimeSpan.FromSeconds(10))
            _time.Advance(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_key_no_request_uses_for_the_idle_time_leaves_and_its_material_is_zeroed()
    {
        CachedKey key;
        using (var lease = await _cache.LeaseAsync(Arn)) key = lease.Key;
        Assert.False(AllZero(key));

        _time.Advance(_options.CacheIdleTime - TimeSpan.FromSeconds(31));
        (await _cache.LeaseAsync(Arn)).Dispose();
        PassIdleTime();

        Assert.False(_cache.Contains(Arn));
        Assert.Equal(0, _cache.Count);
        Assert.True(key.IsZeroed);
        Assert.True(AllZero(key));
        using var again = await _cache.LeaseAsync(Arn);
        Assert.False(AllZero(again.Key));
        Assert.Equal(3, _grain.SnapshotCalls);
    }

    [Fact]
    public async Task A_key_used_within_the_idle_time_stays()
    {
        for (var i = 0; i < 8; i++)
        {
            (await _cache.LeaseAsync(Arn)).Dispose();
            _time.Advance(_options.CacheIdleTime / 2);
        }

        Assert.True(_cache.Contains(Arn));
    }

    [Fact]
    public async Task Material_a_request_still_holds_is_zeroed_only_when_its_lease_ends()
    {
        var lease = await _cache.LeaseAsync(Arn);
        var key = lease.Key;
        var material = key.Symmetric!.Current.Material;
        PassIdleTime();
        Assert.False(_cache.Contains(Arn));
        Assert.False(key.IsZeroed);
        Assert.False(AllZero(key));
        var blob = key.Symmetric.Encrypt(Arn.KeyId, [1, 2, 3], null);
        Assert.True(CiphertextBlob.TryParse(blob, out var parsed));
        Assert.True(parsed.TryDecrypt(material, null, out var plaintext));
        Assert.Equal([1, 2, 3], plaintext);

        lease.Dispose();
        Assert.True(key.IsZeroed);
        Assert.True(AllZero(key));
    }

    [Fact]
    public async Task A_newer_version_replaces_the_older_whose_material_is_zeroed_once_released()
    {
        var held = await _cache.LeaseAsync(Arn);
        var first = held.Key;
        _cache.Apply(Snapshot(2, KeyStateKind.Enabled));
        Assert.False(first.IsZeroed);
        held.Dispose();
        Assert.True(AllZero(first));
        using var current = await _cache.LeaseAsync(Arn);
        Assert.Equal(2, current.Key.Version);
        Assert.False(AllZero(current.Key));
    }

    [Fact]
    public async Task A_deleted_key_leaves_and_its_material_is_zeroed()
    {
        CachedKey key;
        using (var lease = await _cache.LeaseAsync(Arn)) key = lease.Key;
        _cache.Remove(Arn.Value);
        Assert.True(AllZero(key));
    }

    [Fact]
    public async Task Past_its_capacity_the_cache_drops_the_least_recently_used_keys()
    {
        var options = new KmsGrainOptions { KeyCacheCapacity = 10, SnapshotMaxAge = TimeSpan.FromHours(1) };
        using var cache = new KeySnapshotCache(DispatchProxy.Create<IGrainFactory, GrainFactoryProxy>(), _protector, _time, Options.Create(options),
            NullLogger<KeySnapshotCache>.Instance);
        var arns = Enumerable.Range(0, 11).Select(i => new KeyArn("us-east-1", "111122223333", $"1234abcd-12ab-34cd-56ef-{i:D12}")).ToList();
        var keys = new List<CachedKey>();
        foreach (var arn in arns.Take(10))
        {
            keys.Add(cache.Apply(Snapshot(1, KeyStateKind.Enabled, arn)));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        (await cache.LeaseAsync(arns[0])).Dispose(); // the oldest, used again: now the most recent
        cache.Apply(Snapshot(1, KeyStateKind.Enabled, arns[10]));

        Assert.Equal(9, cache.Count);
        Assert.True(cache.Contains(arns[0]));
        Assert.True(cache.Contains(arns[10]));
        Assert.False(cache.Contains(arns[1]));
        Assert.False(cache.Contains(arns[2]));
        Assert.True(AllZero(keys[1]));
        Assert.False(AllZero(keys[0]));
    }

    [Fact]
    public async Task Many_requests_racing_the_sweep_never_see_zeroed_material()
    {
        var options = new KmsGrainOptions { CacheIdleTime = TimeSpan.FromMilliseconds(1) };
        var time = TimeProvider.System;
        var grain = DispatchProxy.Create<IKeyGrain, FakeKeyGrain>();
        ((FakeKeyGrain)(object)grain).Snapshot = Snapshot(1, KeyStateKind.Enabled);
        var factory = DispatchProxy.Create<IGrainFactory, GrainFactoryProxy>();
        ((GrainFactoryProxy)(object)factory).Grain = grain;
        using var cache = new KeySnapshotCache(factory, _protector, time, Options.Create(options), NullLogger<KeySnapshotCache>.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var sweeper = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) cache.RemoveIdle();
        });
        var requests = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var served = 0;
            while (!stop.IsCancellationRequested)
            {
                using var lease = await cache.LeaseAsync(Arn);
                var blob = lease.Key.Symmetric!.Encrypt(Arn.KeyId, [7], null);
                Assert.True(CiphertextBlob.TryParse(blob, out var parsed));
                Assert.True(parsed.TryDecrypt(lease.Key.Symmetric.Current.Material, null, out byte[] _));
                Assert.False(AllZero(lease.Key));
                served++;
            }

            return served;
        })).ToList();
        await sweeper;
        Assert.All(await Task.WhenAll(requests), served => Assert.True(served > 0));
        Assert.True(((FakeKeyGrain)(object)grain).SnapshotCalls > 1, "the sweep dropped the key while requests used it");
    }

    /// <summary>A key grain that answers GetSnapshotAsync from <see cref="Snapshot"/> and counts the calls.</summary>
    public class FakeKeyGrain : DispatchProxy
    {
        public KeySnapshot? Snapshot { get; set; }
        public int SnapshotCalls { get; private set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(IKeyGrain.GetSnapshotAsync)) throw new NotSupportedException(targetMethod?.Name);
            SnapshotCalls++;
            return Snapshot is null ? Task.FromException<KeySnapshot>(KmsException.KeyNotFound(Arn.Value)) : Task.FromResult(Snapshot);
        }
    }

    /// <summary>An IGrainFactory whose every GetGrain answers the one fake key grain.</summary>
    public class GrainFactoryProxy : DispatchProxy
    {
        internal IKeyGrain? Grain { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IGrainFactory.GetGrain) ? Grain : throw new NotSupportedException(targetMethod?.Name);
    }
}
