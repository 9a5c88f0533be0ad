using System.Reflection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Grains;

namespace OrleansKms.UnitTests.Grains;

/// <summary>The per-silo alias cache holds the aliases in use: idle ones leave, and past its capacity the least recently used.</summary>
public sealed class AliasCacheTests
{
    private const string Account = "111122223333";
    private const string Region = "us-east-1";
    private readonly FakeTimeProvider _time = new();
    private readonly KmsGrainOptions _options = new() { KeyCacheCapacity = 10, SnapshotMaxAge = TimeSpan.FromHours(1) };
    private readonly FakeAliasGrain _grain;
    private readonly AliasCache _cache;

    public AliasCacheTests()
    {
        var grain = DispatchProxy.Create<IAliasGrain, FakeAliasGrain>();
        _grain = (FakeAliasGrain)(object)grain;
        var factory = DispatchProxy.Create<IGrainFactory, AliasGrainFactory>();
        ((AliasGrainFactory)(object)factory).Grain = grain;
        _cache = new AliasCache(factory, _time, Options.Create(_options));
    }

    private static string Name(int i) => $"alias/app-{i}";

    [Fact]
    public async Task An_alias_no_request_resolves_for_the_idle_time_leaves_and_is_fetched_again()
    {
        Assert.Equal(new KeyArn(Region, Account, FakeAliasGrain.KeyId), await _cache.ResolveAsync(Account, Region, Name(1)));
        _time.Advance(_options.CacheIdleTime / 2);
        await _cache.ResolveAsync(Account, Region, Name(1));
        Assert.Equal(1, _grain.Calls);

        for (var passed = TimeSpan.Zero; passed <= _options.CacheIdleTime + TimeSpan.FromSeconds(30); passed += TimeSpan.FromSeconds(10))
            _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, _cache.Count);
        Assert.Equal(new KeyArn(Region, Account, FakeAliasGrain.KeyId), await _cache.ResolveAsync(Account, Region, Name(1)));
        Assert.Equal(2, _grain.Calls);
    }

    [Fact]
    public async Task Past_its_capacity_the_least_recently_resolved_aliases_leave()
    {
        for (var i = 0; i < 10; i++)
        {
            await _cache.ResolveAsync(Account, Region, Name(i));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        await _cache.ResolveAsync(Account, Region, Name(0));
        await _cache.ResolveAsync(Account, Region, Name(10));
        Assert.Equal(9, _cache.Count);
        Assert.Equal(11, _grain.Calls);

        await _cache.ResolveAsync(Account, Region, Name(0));
        Assert.Equal(11, _grain.Calls);
        await _cache.ResolveAsync(Account, Region, Name(1));
        Assert.Equal(12, _grain.Calls);
    }

    /// <summary>An alias grain whose every alias points to one key; counts GetTargetAsync calls.</summary>
    public class FakeAliasGrain : DispatchProxy
    {
        public const string KeyId = "1234abcd-12ab-34cd-56ef-1234567890ab";

        public int Calls { get; private set; }

        internal string? Name { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(IAliasGrain.GetTargetAsync)) throw new NotSupportedException(targetMethod?.Name);
            Calls++;
            return Task.FromResult(new AliasTarget(AliasNames.Arn(Account, Region, Name!), KeyId, 1));
        }
    }

    /// <summary>An IGrainFactory whose GetGrain answers the fake alias grain, told which alias it is.</summary>
    public class AliasGrainFactory : DispatchProxy
    {
        internal IAliasGrain? Grain { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(IGrainFactory.GetGrain)) throw new NotSupportedException(targetMethod?.Name);
            ((FakeAliasGrain)(object)Grain!).Name = ((string)args![0]!).Split('/', 3)[2];
            return Grain;
        }
    }
}
