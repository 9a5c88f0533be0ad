using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace OrleansKms.Grains;

/// <summary>The per-silo door into that silo's <see cref="KeySnapshotCache"/>.</summary>
[SiloTargetedPlacement]
[Reentrant]
public sealed class SiloKeyCacheGrain(KeySnapshotCache cache, AliasCache aliases) : Grain, ISiloKeyCacheGrain
{
    public Task ApplyAsync(KeySnapshot snapshot)
    {
        cache.Apply(snapshot);
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string keyArn)
    {
        cache.Remove(keyArn);
        return Task.CompletedTask;
    }

    public Task ApplyAliasAsync(AliasTarget alias)
    {
        aliases.Apply(alias);
        return Task.CompletedTask;
    }
}
