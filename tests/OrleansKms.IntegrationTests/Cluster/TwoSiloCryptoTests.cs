using System.Text;
using OrleansKms.Grains;
using OrleansKms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// Two silos, one key: the crypto workers of both silos serve it, and a state change made through one silo is in
/// force on the other before the change returns (the KeyGrain pushes its new snapshot to every active silo).
/// </summary>
public sealed class TwoSiloCryptoTests(TwoSiloClusterFixture cluster) : IClassFixture<TwoSiloClusterFixture>
{
    private async Task<KeyArn> CreateKeyAsync()
    {
        var arn = new KeyArn(cluster.Region, cluster.Caller.AccountId, KeyIds.NewSingleRegion());
        await cluster.Silo(0).GetGrain<IKeyGrain>(arn.Value).CreateAsync(new CreateKeyCommand { Caller = cluster.Caller });
        return arn;
    }

    private Task<EncryptResult> EncryptOn(int silo, KeyArn arn, byte[] plaintext) =>
        cluster.Silo(silo).GetGrain<ICryptoWorker>(0)
            .EncryptAsync(new EncryptCommand(cluster.Caller, arn.Value, plaintext, new Dictionary<string, string> { ["k"] = "v" }, false, cluster.Region)).AsTask();

    private Task<DecryptResult> DecryptOn(int silo, byte[] blob) =>
        cluster.Silo(silo).GetGrain<ICryptoWorker>(0)
            .DecryptAsync(new DecryptCommand(cluster.Caller, blob, new Dictionary<string, string> { ["k"] = "v" }, null, cluster.Region, false)).AsTask();

    private bool CachedOn(int silo, KeyArn arn) => cluster.Cluster.Silos[silo].ServiceProvider.GetRequiredService<KeySnapshotCache>().Contains(arn);

    [Fact]
    public async Task Ciphertext_made_on_one_silo_decrypts_on_the_other_in_both_directions()
    {
        var arn = await CreateKeyAsync();
        var plaintext = Encoding.UTF8.GetBytes("across silos");

        var fromFirst = await EncryptOn(0, arn, plaintext);
        var fromSecond = await EncryptOn(1, arn, plaintext);

        Assert.Equal(plaintext, (await DecryptOn(1, fromFirst.CiphertextBlob)).Plaintext);
        Assert.Equal(plaintext, (await DecryptOn(0, fromSecond.CiphertextBlob)).Plaintext);
        Assert.True(CachedOn(0, arn) && CachedOn(1, arn), "both silos serve the key from their own cache");
    }

    [Fact]
    public async Task A_key_policy_or_grant_change_through_one_silo_is_in_force_on_the_other_before_the_change_returns()
    {
        var arn = await CreateKeyAsync();
        var bob = cluster.Caller with { PrincipalArn = "arn:aws:iam::111122223333:user/bob", AccessKeyId = "BOB" };
        Task<EncryptResult> BobEncryptsOn(int silo) => cluster.Silo(silo).GetGrain<ICryptoWorker>(0)
            .EncryptAsync(new EncryptCommand(bob, arn.Value, [1], null, false, cluster.Region)).AsTask();
        await EncryptOn(1, arn, [1]); // silo 1 caches the key under its default policy
        var denied = await Assert.ThrowsAsync<KmsException>(() => BobEncryptsOn(1));
        Assert.Equal(KmsErrorCode.AccessDeniedException, denied.Code);

        var grant = await cluster.Silo(0).GetGrain<IKeyGrain>(arn.Value).CreateGrantAsync(cluster.Caller,
            new KeyGrant("", null, default, bob.PrincipalArn, null, "", ["Encrypt"], null, null, null), dryRun: false);
        await BobEncryptsOn(1);

        await cluster.Silo(0).GetGrain<IKeyGrain>(arn.Value).RemoveGrantAsync(cluster.Caller, grant.GrantId, dryRun: false, revoke: true);
        Assert.Equal(KmsErrorCode.AccessDeniedException, (await Assert.ThrowsAsync<KmsException>(() => BobEncryptsOn(1))).Code);

        const string rootMayManageOnly = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:PutKeyPolicy","kms:GetKeyPolicy"],"Resource":"*"}]}""";
        await cluster.Silo(0).GetGrain<IKeyGrain>(arn.Value).PutPolicyAsync(cluster.Caller, rootMayManageOnly);
        Assert.Equal(KmsErrorCode.AccessDeniedException, (await Assert.ThrowsAsync<KmsException>(() => EncryptOn(1, arn, [1]))).Code);
    }

    [Fact]
    public async Task DisableKey_through_one_silo_stops_encryption_on_the_other_at_once_and_EnableKey_restores_it()
    {
        var arn = await CreateKeyAsync();
        var blob = (await EncryptOn(1, arn, [1, 2, 3])).CiphertextBlob;

        await cluster.Silo(0).GetGrain<IKeyGrain>(arn.Value).DisableAsync(cluster.Caller);

        var encrypt = await Assert.ThrowsAsync<KmsException>(() => EncryptOn(1, arn, [1]));
        Assert.Equal(KmsErrorCode.DisabledException, encrypt.Code);
        Assert.Equal($"{arn} is disabled.", encrypt.Message);
        var decrypt = await Assert.ThrowsAsync<KmsException>(() => DecryptOn(1, blob));
        Assert.Equal(KmsErrorCode.DisabledException, decrypt.Code);

        await cluster.Silo(1).GetGrain<IKeyGrain>(arn.Value).EnableAsync(cluster.Caller);

        Assert.Equal([1, 2, 3], (await DecryptOn(0, blob)).Plaintext);
        Assert.Equal([1, 2, 3], (await DecryptOn(1, blob)).Plaintext);
    }

    [Fact]
    public async Task Cached_snapshots_are_refreshed_from_the_key_grain_once_older_than_the_bound()
    {
        var arn = await CreateKeyAsync();
        await EncryptOn(1, arn, [1]);
        var cache = cluster.Cluster.Silos[1].ServiceProvider.GetRequiredService<KeySnapshotCache>();
        var before = await cache.GetAsync(arn);
        var confirmedBefore = before.ConfirmedAt;

        cluster.Time.Advance(new KmsGrainOptions().SnapshotMaxAge);
        var after = await cache.GetAsync(arn);

        // Asked the key grain again: the same version, confirmed now (its unwrapped material kept, not rebuilt).
        Assert.True(after.ConfirmedAt > confirmedBefore, "the snapshot was confirmed again by the key grain");
        Assert.Equal(before.Version, after.Version);
        Assert.Same(before, after);
    }

    [Fact]
    public async Task A_key_left_unused_leaves_every_silos_cache_and_is_fetched_again_on_its_next_use()
    {
        var arn = await CreateKeyAsync();
        var blob = (await EncryptOn(0, arn, [9])).CiphertextBlob;
        await DecryptOn(1, blob);
        Assert.True(CachedOn(0, arn) && CachedOn(1, arn));

        var idle = new KmsGrainOptions().CacheIdleTime + TimeSpan.FromSeconds(40);
        for (var passed = TimeSpan.Zero; passed < idle; passed += TimeSpan.FromSeconds(10)) cluster.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.False(CachedOn(0, arn) || CachedOn(1, arn), "an idle key leaves both silos' caches");
        Assert.Equal([9], (await DecryptOn(1, blob)).Plaintext);
        Assert.True(CachedOn(1, arn));
    }

    [Fact]
    public void Idle_key_alias_and_catalog_shard_activations_are_collected_after_the_configured_age_not_Orleans_default()
    {
        var collection = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;
        var age = new KmsGrainOptions().KeyGrainCollectionAge;
        Assert.Equal(TimeSpan.FromMinutes(2), age);
        Assert.Equal(age, collection.ClassSpecificCollectionAge[typeof(KeyGrain).FullName!]);
        Assert.Equal(age, collection.ClassSpecificCollectionAge[typeof(AliasGrain).FullName!]);
        Assert.Equal(age, collection.ClassSpecificCollectionAge[typeof(KeyCatalogShardGrain).FullName!]);
        Assert.True(age < collection.CollectionAge);
    }

    [Fact]
    public async Task An_unknown_key_is_NotFoundException_on_every_silo()
    {
        var arn = new KeyArn(cluster.Region, cluster.Caller.AccountId, KeyIds.NewSingleRegion());
        for (var silo = 0; silo < 2; silo++)
        {
            var e = await Assert.ThrowsAsync<KmsException>(() => EncryptOn(silo, arn, [1]));
            Assert.Equal(KmsErrorCode.NotFoundException, e.Code);
            Assert.Equal($"Key '{arn}' does not exist", e.Message);
        }
    }
}
