using OrleansKms.Crypto;
using OrleansKms.Gateway.Regions;
using OrleansKms.Grains;

namespace OrleansKms.Hosting;

/// <summary>
/// Region links between the Regions one process hosts: a call into the destination Region's cluster through its
/// host (starting the Region if it is idle). A stopped Region cannot be reached, so delivery to it waits in the
/// sender's outbox, as it would for a Region that is down.
/// </summary>
internal sealed class InProcessRegionLinks(RegionHosts regions, SecretBytes linkSecret) : RegionLinks(linkSecret)
{
    public override bool Reaches(string region) => regions.Serves(region);

    public override async Task DeliverAsync(ReplicaUpdate update, CancellationToken cancel)
    {
        // A stopped Region reaches no one, either way.
        if (regions.IsStopped(update.SourceRegion)) throw new RegionUnavailableException(update.SourceRegion);
        var region = await regions.GetAsync(update.TargetRegion, cancel);
        await region.Grains.GetGrain<IKeyGrain>(new KeyArn(update.TargetRegion, update.AccountId, update.KeyId).Value)
            .ApplyReplicaUpdateAsync(update).WaitAsync(cancel);
    }

    public override async Task ReplicaDeletedAsync(string primaryRegion, string accountId, string keyId, string replicaRegion, CancellationToken cancel)
    {
        if (regions.IsStopped(replicaRegion)) throw new RegionUnavailableException(replicaRegion);
        var region = await regions.GetAsync(primaryRegion, cancel);
        await region.Grains.GetGrain<IKeyGrain>(new KeyArn(primaryRegion, accountId, keyId).Value).ReplicaDeletedAsync(replicaRegion).WaitAsync(cancel);
    }
}
