using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// A key's deletion calls its aliases while an alias update calls the keys: run together they must not wait on
/// each other (a grain call cycle would hold both until Orleans' 30 s call timeout).
/// </summary>
public sealed class GrainCycleTests(TwoSiloClusterFixture cluster) : IClassFixture<TwoSiloClusterFixture>
{
    [Fact]
    public async Task Deleting_a_key_while_its_aliases_are_moved_to_another_key_finishes_without_a_timeout()
    {
        var caller = cluster.Caller;
        var doomed = new KeyArn(cluster.Region, caller.AccountId, KeyIds.NewSingleRegion());
        var other = new KeyArn(cluster.Region, caller.AccountId, KeyIds.NewSingleRegion());
        var grains = cluster.Silo(0);
        await grains.GetGrain<IKeyGrain>(doomed.Value).CreateAsync(new CreateKeyCommand { Caller = caller });
        await grains.GetGrain<IKeyGrain>(other.Value).CreateAsync(new CreateKeyCommand { Caller = caller });
        var aliases = Enumerable.Range(0, 20).Select(i => grains.GetGrain<IAliasGrain>(AliasNames.GrainKey(caller.AccountId, cluster.Region, $"alias/cycle-{i}"))).ToList();
        foreach (var alias in aliases) await alias.CreateAsync(caller, doomed);
        await grains.GetGrain<IKeyGrain>(doomed.Value).ScheduleDeletionAsync(caller, 7);
        cluster.Time.Advance(TimeSpan.FromDays(7));

        var deletion = grains.GetGrain<IKeyGrain>(doomed.Value).RunDueWorkAsync();
        var moves = aliases.Select(async alias =>
        {
            try
            {
                await alias.UpdateAsync(caller, other);
            }
            catch (KmsException e) when (e.Code is KmsErrorCode.KMSInvalidStateException or KmsErrorCode.NotFoundException)
            {
                // Lost the race to the deletion: the alias is gone with its key, or the key was already pending deletion.
            }
        }).ToList();
        await Task.WhenAll([deletion, .. moves]);

        await Assert.ThrowsAsync<KmsException>(() => grains.GetGrain<IKeyGrain>(doomed.Value).DescribeAsync(caller));
        foreach (var alias in aliases)
        {
            var target = await alias.GetTargetAsync();
            Assert.True(target.TargetKeyId is null || target.TargetKeyId == other.KeyId, $"{target.AliasArn} still points to {target.TargetKeyId}");
        }
    }
}
