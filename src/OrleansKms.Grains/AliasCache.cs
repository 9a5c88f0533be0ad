using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrleansKms.Grains;

/// <summary>
/// One per silo: where each alias points, so an alias resolves without a grain call or storage read per request.
/// Same rules as <see cref="KeySnapshotCache"/>: pushed by the AliasGrain on every change, fetched on a miss, fetched
/// again when older than <see cref="KmsGrainOptions.SnapshotMaxAge"/>, never replaced by an older version.
/// A missing alias is cached too (as no target), so a new alias is pushed like any change.
/// </summary>
public sealed class AliasCache(IGrainFactory grains, [FromKeyedServices(KmsTime.ServiceKey)] TimeProvider time, IOptions<KmsGrainOptions> options)
{
    private readonly ConcurrentDictionary<string, (AliasTarget Target, long ConfirmedAt)> _aliases = new(StringComparer.Ordinal);
    private readonly TimeSpan _maxAge = options.Value.SnapshotMaxAge;

    /// <summary>The key an alias names; NotFoundException if it names none.</summary>
    public async ValueTask<KeyArn> ResolveAsync(string accountId, string region, string aliasName)
    {
        var arn = AliasNames.Arn(accountId, region, aliasName);
        if (!_aliases.TryGetValue(arn, out var cached) || time.GetElapsedTime(cached.ConfirmedAt) >= _maxAge)
        {
            var target = await grains.GetGrain<IAliasGrain>(AliasNames.GrainKey(accountId, region, aliasName)).GetTargetAsync();
            cached = Apply(target);
        }

        return cached.Target.TargetKeyId is { } keyId ? new KeyArn(region, accountId, keyId) : throw AliasNames.NotFound(arn);
    }

    public (AliasTarget Target, long ConfirmedAt) Apply(AliasTarget target)
    {
        var entry = (target, time.GetTimestamp());
        return _aliases.AddOrUpdate(target.AliasArn, entry, (_, existing) => existing.Target.Version > target.Version ? existing : entry);
    }
}
