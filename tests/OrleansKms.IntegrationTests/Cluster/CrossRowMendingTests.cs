using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Reminders;
using OrleansKms.Grains;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// A change that writes two grains' rows, interrupted after the first (the second write fails, as it would if the
/// silo died there): the rows are mended from the first one, by the grain's next such change or by its mend
/// reminder, so a key is always in ListKeys, a grant always in its retiring principal's index, an alias always
/// in ListAliases.
/// </summary>
public sealed class CrossRowMendingTests(CrossRowMendingTests.FaultyCluster cluster) : IClassFixture<CrossRowMendingTests.FaultyCluster>
{
    private KmsCaller Caller => cluster.Caller;

    private IGrainFactory Grains => cluster.Silo(0);

    private async Task<KeyArn> CreateKeyAsync()
    {
        var arn = new KeyArn(cluster.Region, Caller.AccountId, KeyIds.NewSingleRegion());
        await Grains.GetGrain<IKeyGrain>(arn.Value).CreateAsync(new CreateKeyCommand { Caller = Caller });
        return arn;
    }

    private async Task<List<string>> ListedKeysAsync() =>
        [.. (await Grains.GetGrain<IKeyCatalogGrain>($"{Caller.AccountId}/{cluster.Region}").ListAsync(1000, null)).KeyIds];

    private async Task<List<string>> RetirableAsync(string principal) =>
        [.. (await Grains.GetGrain<IRetirableGrantsGrain>(RetirableGrants.GrainKey(Caller.AccountId, cluster.Region, "principal:" + principal)).ListAsync(100, null)).Grants.Select(g => g.Grant.GrantId)];

    private static KeyGrant Grant(string retiring) =>
        new("", null, default, "arn:aws:iam::111122223333:role/user", retiring, "", ["Decrypt"], null, null, null);

    /// <summary>CreateKey stores the catalog entry first (as pending) and the key second: a failed first write creates nothing.</summary>
    [Fact]
    public async Task A_CreateKey_whose_catalog_entry_failed_creates_no_key_and_lists_nothing()
    {
        var arn = new KeyArn(cluster.Region, Caller.AccountId, KeyIds.NewSingleRegion());
        cluster.Faults.FailNext("AddPendingAsync", typeof(IKeyCatalogShardGrain));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Grains.GetGrain<IKeyGrain>(arn.Value).CreateAsync(new CreateKeyCommand { Caller = Caller }));

        var e = await Assert.ThrowsAsync<KmsException>(() => Grains.GetGrain<IKeyGrain>(arn.Value).DescribeAsync(Caller));
        Assert.Equal(KmsErrorCode.NotFoundException, e.Code);
        Assert.DoesNotContain(arn.KeyId, await ListedKeysAsync());
        await Grains.GetGrain<IKeyGrain>(arn.Value).CreateAsync(new CreateKeyCommand { Caller = Caller });
        Assert.Contains(arn.KeyId, await ListedKeysAsync());
    }

    [Fact]
    public async Task A_grant_whose_index_entry_failed_is_indexed_by_the_keys_next_grant_change()
    {
        var arn = await CreateKeyAsync();
        var key = Grains.GetGrain<IKeyGrain>(arn.Value);
        const string retiring = "arn:aws:iam::111122223333:role/mend-retirer";
        cluster.Faults.FailNext("AddAsync", typeof(IRetirableGrantsGrain));
        await Assert.ThrowsAsync<InvalidOperationException>(() => key.CreateGrantAsync(Caller, Grant(retiring), false));
        var first = Assert.Single((await key.ListGrantsAsync(Caller, 100, null, null, null, null)).Grants).Grant.GrantId;
        Assert.Empty(await RetirableAsync(retiring));

        var second = (await key.CreateGrantAsync(Caller, Grant(retiring), false)).GrantId;

        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), (await RetirableAsync(retiring)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_grant_whose_index_removal_failed_stays_whole_and_leaves_both_on_a_retry()
    {
        var arn = await CreateKeyAsync();
        var key = Grains.GetGrain<IKeyGrain>(arn.Value);
        const string retiring = "arn:aws:iam::111122223333:role/mend-revoker";
        var grant = (await key.CreateGrantAsync(Caller, Grant(retiring), false)).GrantId;
        cluster.Faults.FailNext("RemoveAsync", typeof(IRetirableGrantsGrain));
        await Assert.ThrowsAsync<InvalidOperationException>(() => key.RemoveGrantAsync(Caller, grant, false));
        Assert.Single((await key.ListGrantsAsync(Caller, 100, null, null, null, null)).Grants);
        Assert.Equal([grant], await RetirableAsync(retiring));

        await key.RemoveGrantAsync(Caller, grant, false);

        Assert.Empty((await key.ListGrantsAsync(Caller, 100, null, null, null, null)).Grants);
        Assert.Empty(await RetirableAsync(retiring));
    }

    [Fact]
    public async Task An_alias_whose_catalog_entry_failed_is_listed_after_its_mend_runs()
    {
        var arn = await CreateKeyAsync();
        var alias = Grains.GetGrain<IAliasGrain>(AliasNames.GrainKey(Caller.AccountId, cluster.Region, "alias/mended"));
        cluster.Faults.FailNext("PutAsync", typeof(IAliasCatalogGrain));
        await Assert.ThrowsAsync<InvalidOperationException>(() => alias.CreateAsync(cluster.Caller, arn));
        var catalog = Grains.GetGrain<IAliasCatalogGrain>($"{Caller.AccountId}/{cluster.Region}");
        Assert.DoesNotContain((await catalog.ListAsync(null, 100, null)).Aliases, a => a.AliasName == "alias/mended");

        cluster.ReminderTime.Advance(CrossRowChanges.MendDelay + TimeSpan.FromSeconds(1));
        await WaitUntilAsync(async () => (await catalog.ListAsync(null, 100, null)).Aliases.Any(a => a.AliasName == "alias/mended" && a.TargetKeyId == arn.KeyId));
    }

    /// <summary>Waits for a reminder's effect (reminders tick on their own scheduler), failing after 20 seconds.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The mend reminder did not repair the rows within 20 s.");
            await Task.Delay(50);
        }
    }

    /// <summary>A cluster whose grain calls can be made to fail once, and whose reminders run on a fake clock.</summary>
    public sealed class FaultyCluster : TwoSiloClusterFixture
    {
        public Faults Faults { get; } = new();

        public FakeTimeProvider ReminderTime { get; } = new(DateTimeOffset.UtcNow);

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(ReminderTimeProviderNames.Reminders, ReminderTime);
            silo.AddIncomingGrainCallFilter(Faults);
        }
    }

    /// <summary>Fails the next call of one method of one grain interface, as a write that did not happen.</summary>
    public sealed class Faults : IIncomingGrainCallFilter
    {
        private (string Method, Type Interface)? _next;

        public void FailNext(string method, Type grainInterface) => _next = (method, grainInterface);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (_next is { } next && context.InterfaceMethod.Name == next.Method && context.InterfaceMethod.DeclaringType == next.Interface)
            {
                _next = null;
                throw new InvalidOperationException($"Injected failure of {next.Interface.Name}.{next.Method}.");
            }

            return context.Invoke();
        }
    }
}
