using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace OrleansKms.Grains;

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
