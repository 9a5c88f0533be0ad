using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace OrleansKms.Grains;

/// <summary>Places a grain on the silo whose address is its grain key.</summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class SiloTargetedPlacement : PlacementStrategy
{
    internal static readonly SiloTargetedPlacement Instance = new();
}

/// <summary>Marks a grain keyed by silo address to live on that silo.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SiloTargetedPlacementAttribute() : PlacementAttribute(SiloTargetedPlacement.Instance);

/// <summary>Chooses the silo named by the grain key; a silo that is not active cannot host it.</summary>
public sealed class SiloTargetedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var wanted = target.GrainIdentity.Key.ToString();
        foreach (var silo in context.GetCompatibleSilos(target))
        {
            if (silo.ToParsableString() == wanted) return Task.FromResult(silo);
        }

        throw new OrleansException($"Silo {wanted} is not an active silo of this cluster.");
    }
}

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

/// <summary>Pushes a key's new snapshot (or an alias's new target) to the caches of every active silo, waiting at most the push timeout.</summary>
public sealed class SnapshotPublisher(
    IGrainFactory grains,
    IClusterMembershipService membership,
    IOptions<KmsGrainOptions> options,
    ILogger<SnapshotPublisher> logger)
{
    public Task PublishAsync(KeySnapshot snapshot) =>
        BroadcastAsync(silo => silo.ApplyAsync(snapshot), $"{snapshot.Arn} version {snapshot.Version}");

    public Task PublishRemovalAsync(KeyArn arn) => BroadcastAsync(silo => silo.RemoveAsync(arn.Value), $"deletion of {arn}");

    public Task PublishAliasAsync(AliasTarget alias) =>
        BroadcastAsync(silo => silo.ApplyAliasAsync(alias), $"{alias.AliasArn} version {alias.Version}");

    private async Task BroadcastAsync(Func<ISiloKeyCacheGrain, Task> push, string what)
    {
        var pushes = new List<Task>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active) continue;
            pushes.Add(PushAsync(grains.GetGrain<ISiloKeyCacheGrain>(member.SiloAddress.ToParsableString()), member.SiloAddress, push, what));
        }

        await Task.WhenAll(pushes);
    }

    private async Task PushAsync(ISiloKeyCacheGrain target, SiloAddress silo, Func<ISiloKeyCacheGrain, Task> push, string what)
    {
        try
        {
            await push(target).WaitAsync(options.Value.PushTimeout);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not push {What} to silo {Silo}; its cache catches up within {Bound}", what, silo, options.Value.SnapshotMaxAge);
        }
    }
}
