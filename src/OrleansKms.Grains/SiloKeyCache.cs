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
public sealed class SiloKeyCacheGrain(KeySnapshotCache cache) : Grain, ISiloKeyCacheGrain
{
    public Task ApplyAsync(KeySnapshot snapshot)
    {
        cache.Apply(snapshot);
        return Task.CompletedTask;
    }
}

/// <summary>Pushes a key's new snapshot to the cache of every active silo, waiting at most the push timeout.</summary>
public sealed class SnapshotPublisher(
    IGrainFactory grains,
    IClusterMembershipService membership,
    IOptions<KmsGrainOptions> options,
    ILogger<SnapshotPublisher> logger)
{
    public async Task PublishAsync(KeySnapshot snapshot)
    {
        var pushes = new List<Task>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active) continue;
            var target = grains.GetGrain<ISiloKeyCacheGrain>(member.SiloAddress.ToParsableString());
            pushes.Add(PushAsync(target, member.SiloAddress, snapshot));
        }

        await Task.WhenAll(pushes);
    }

    private async Task PushAsync(ISiloKeyCacheGrain target, SiloAddress silo, KeySnapshot snapshot)
    {
        try
        {
            await target.ApplyAsync(snapshot).WaitAsync(options.Value.PushTimeout);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not push {KeyArn} version {Version} to silo {Silo}; its cache catches up within {Bound}",
                snapshot.Arn.Value, snapshot.Version, silo, options.Value.SnapshotMaxAge);
        }
    }
}
