using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Crypto;
using OrleansKms.Grains;

namespace OrleansKms.UnitTests.Grains;

/// <summary>
/// The per-silo snapshot cache: pushes and fetches, and the staleness bound for a silo a push could not reach.
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

    private KeySnapshot Snapshot(long version, KeyStateKind state)
    {
        using var material = SymmetricKeyVersion.Generate();
        return new KeySnapshot
        {
            Arn = Arn,
            Version = version,
            KeyState = state,
            KeyUsage = KmsValues.EncryptDecrypt,
            KeySpec = KmsValues.SymmetricDefault,
            CurrentKeyMaterialId = material.MaterialIdHex,
            Materials = [new WrappedKeyMaterial(material.MaterialIdHex, _protector.Wrap(material.Material, Arn, material.MaterialIdHex), _time.GetUtcNow())],
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
