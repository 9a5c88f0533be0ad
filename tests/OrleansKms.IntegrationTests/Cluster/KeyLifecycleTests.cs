using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// Rotation and deletion across months and years of the KMS clock (a fake one), on a 2-silo cluster: the lifecycle
/// reminder's work is run by calling <see cref="IKeyGrain.RunDueWorkAsync"/> after moving the clock.
/// </summary>
public sealed class KeyLifecycleTests(TwoSiloClusterFixture cluster) : IClassFixture<TwoSiloClusterFixture>
{
    private static readonly Dictionary<string, string> Context = new() { ["app"] = "lifecycle" };

    private async Task<KeyArn> CreateKeyAsync()
    {
        var arn = new KeyArn(cluster.Region, cluster.Caller.AccountId, KeyIds.NewSingleRegion());
        await Key(arn).CreateAsync(new CreateKeyCommand { Caller = cluster.Caller });
        return arn;
    }

    private IKeyGrain Key(KeyArn arn, int silo = 0) => cluster.Silo(silo).GetGrain<IKeyGrain>(arn.Value);

    private ICryptoWorker Worker(int silo) => cluster.Silo(silo).GetGrain<ICryptoWorker>(0);

    private async Task<byte[]> EncryptAsync(KeyArn arn, byte value, int silo = 0) =>
        (await Worker(silo).EncryptAsync(new EncryptCommand(cluster.Caller, arn.Value, [value], Context, false, cluster.Region))).CiphertextBlob;

    private async Task<byte[]> DecryptAsync(byte[] blob, int silo = 1) =>
        (await Worker(silo).DecryptAsync(new DecryptCommand(cluster.Caller, blob, Context, null, cluster.Region, false))).Plaintext;

    [Fact]
    public async Task Automatic_rotation_makes_new_material_current_every_period_and_every_old_ciphertext_still_decrypts()
    {
        var arn = await CreateKeyAsync();
        await Key(arn).EnableRotationAsync(cluster.Caller, 90);
        var firstMaterial = (await Key(arn).DescribeAsync(cluster.Caller)).CurrentKeyMaterialId;
        var blobs = new List<byte[]> { await EncryptAsync(arn, 0) };

        for (byte period = 1; period <= 3; period++)
        {
            cluster.Time.Advance(TimeSpan.FromDays(89));
            await Key(arn).RunDueWorkAsync();
            Assert.Equal(period - 1, (await Key(arn).ListRotationsAsync(cluster.Caller, 100, null)).Rotations.Count);

            cluster.Time.Advance(TimeSpan.FromDays(1));
            await Key(arn).RunDueWorkAsync();
            blobs.Add(await EncryptAsync(arn, period, silo: period % 2));
        }

        var rotations = (await Key(arn).ListRotationsAsync(cluster.Caller, 100, null)).Rotations;
        Assert.Equal(3, rotations.Count);
        Assert.All(rotations, r => Assert.Equal("AUTOMATIC", r.RotationType));
        Assert.Equal(4, rotations.Select(r => r.KeyMaterialId).Append(firstMaterial).Distinct().Count());
        var described = await Key(arn).DescribeAsync(cluster.Caller);
        Assert.Equal(rotations[^1].KeyMaterialId, described.CurrentKeyMaterialId);
        Assert.Equal(arn.Value, described.Arn);
        for (byte i = 0; i < blobs.Count; i++) Assert.Equal([i], await DecryptAsync(blobs[i], silo: i % 2));
        var status = await Key(arn).GetRotationStatusAsync(cluster.Caller);
        Assert.Equal(cluster.Time.GetUtcNow().AddDays(90), status.NextRotationDate);
    }

    [Fact]
    public async Task A_disabled_key_is_not_rotated_until_it_is_enabled_again()
    {
        var arn = await CreateKeyAsync();
        await Key(arn).EnableRotationAsync(cluster.Caller, 365);
        await Key(arn).DisableAsync(cluster.Caller);

        cluster.Time.Advance(TimeSpan.FromDays(400));
        await Key(arn).RunDueWorkAsync();
        Assert.Empty((await Key(arn).ListRotationsAsync(cluster.Caller, 100, null)).Rotations);

        await Key(arn).EnableAsync(cluster.Caller);
        await Key(arn).RunDueWorkAsync();
        Assert.Single((await Key(arn).ListRotationsAsync(cluster.Caller, 100, null)).Rotations);
    }

    [Fact]
    public async Task On_demand_rotation_keeps_old_ciphertext_decryptable_on_every_silo()
    {
        var arn = await CreateKeyAsync();
        var before = await EncryptAsync(arn, 7, silo: 1);
        await Key(arn, silo: 1).RotateOnDemandAsync(cluster.Caller);
        var after = await EncryptAsync(arn, 8, silo: 1);

        Assert.Equal([7], await DecryptAsync(before, silo: 0));
        Assert.Equal([8], await DecryptAsync(after, silo: 0));
        var rotation = Assert.Single((await Key(arn).ListRotationsAsync(cluster.Caller, 10, null)).Rotations);
        Assert.Equal("ON_DEMAND", rotation.RotationType);
        Assert.Equal(rotation.KeyMaterialId, (await Key(arn).DescribeAsync(cluster.Caller)).CurrentKeyMaterialId);
    }

    [Fact]
    public async Task On_demand_rotation_is_refused_with_ConflictException_from_20_minutes_before_an_automatic_one_until_it_has_run()
    {
        var arn = await CreateKeyAsync();
        await Key(arn).EnableRotationAsync(cluster.Caller, 90);

        cluster.Time.Advance(TimeSpan.FromDays(90) - TimeSpan.FromMinutes(20) - TimeSpan.FromSeconds(1));
        await Key(arn).RotateOnDemandAsync(cluster.Caller);

        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        var conflict = await Assert.ThrowsAsync<KmsException>(() => Key(arn, silo: 1).RotateOnDemandAsync(cluster.Caller));
        Assert.Equal(KmsErrorCode.ConflictException, conflict.Code);
        Assert.Equal($"An automatic rotation of {arn} is in progress or scheduled to begin within the next 20 minutes.", conflict.Message);

        cluster.Time.Advance(TimeSpan.FromMinutes(30));
        await Assert.ThrowsAsync<KmsException>(() => Key(arn).RotateOnDemandAsync(cluster.Caller));

        await Key(arn).RunDueWorkAsync();
        await Key(arn).RotateOnDemandAsync(cluster.Caller);
        var rotations = (await Key(arn).ListRotationsAsync(cluster.Caller, 10, null)).Rotations;
        Assert.Equal(["ON_DEMAND", "AUTOMATIC", "ON_DEMAND"], rotations.Select(r => r.RotationType));
    }

    [Fact]
    public async Task A_destroyed_key_takes_its_grants_out_of_ListRetirableGrants()
    {
        var arn = await CreateKeyAsync();
        var retiring = $"arn:aws:iam::{cluster.Caller.AccountId}:role/retirer-{Guid.NewGuid():N}";
        var grant = new KeyGrant("", null, default, "arn:aws:iam::111122223333:role/app", retiring, "", ["Encrypt"], null, null, null);
        await Key(arn).CreateGrantAsync(cluster.Caller, grant, dryRun: false);
        var index = cluster.Silo(1).GetGrain<IRetirableGrantsGrain>(Grains.RetirableGrants.GrainKey(arn.AccountId, arn.Region, Grains.RetirableGrants.IndexKey(retiring, null)!));
        Assert.Equal(arn.Value, Assert.Single((await index.ListAsync(10, null)).Grants).KeyArn);

        await Key(arn).ScheduleDeletionAsync(cluster.Caller, 7);
        cluster.Time.Advance(TimeSpan.FromDays(7));
        await Key(arn).RunDueWorkAsync();

        Assert.Empty((await index.ListAsync(10, null)).Grants);
    }

    [Fact]
    public async Task Grants_stop_at_their_storage_budget_with_LimitExceededException_and_the_key_still_rotates()
    {
        var arn = await CreateKeyAsync();
        var big = new GrantConstraints(new Dictionary<string, string> { ["tenant"] = new string('t', 8000) }, null, null);
        var created = 0;
        KmsException? limit = null;
        while (limit is null && created < 200)
        {
            var grant = new KeyGrant("", null, default, $"arn:aws:iam::111122223333:role/r{created}", null, "", ["Encrypt"], big, null, null);
            try
            {
                await Key(arn).CreateGrantAsync(cluster.Caller, grant, dryRun: false);
                created++;
            }
            catch (KmsException e)
            {
                limit = e;
            }
        }

        Assert.Equal(KmsErrorCode.LimitExceededException, limit?.Code);
        Assert.InRange(created, 30, 60); // about 700 KB of grants of about 16 KB each
        Assert.Equal(created, (await Key(arn).ListGrantsAsync(cluster.Caller, 1000, null, null, null, null)).Grants.Count);
        await Key(arn).RotateOnDemandAsync(cluster.Caller);
        Assert.Single((await Key(arn).ListRotationsAsync(cluster.Caller, 10, null)).Rotations);
    }

    [Fact]
    public async Task A_key_is_destroyed_at_its_deletion_date_with_its_aliases_and_not_a_moment_before()
    {
        var arn = await CreateKeyAsync();
        var blob = await EncryptAsync(arn, 1);
        var alias = cluster.Silo(0).GetGrain<IAliasGrain>(AliasNames.GrainKey(arn.AccountId, arn.Region, "alias/doomed"));
        await alias.CreateAsync(cluster.Caller, arn);
        var deletion = await Key(arn).ScheduleDeletionAsync(cluster.Caller, 7);
        Assert.Equal(cluster.Time.GetUtcNow().AddDays(7), deletion.DeletionDate);

        var pending = await Assert.ThrowsAsync<KmsException>(async () => await DecryptAsync(blob, silo: 1));
        Assert.Equal(KmsErrorCode.KMSInvalidStateException, pending.Code);
        Assert.Equal($"{arn} is pending deletion.", pending.Message);

        cluster.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        await Key(arn).RunDueWorkAsync();
        Assert.Equal(KeyStateKind.PendingDeletion, (await Key(arn).DescribeAsync(cluster.Caller)).KeyState);

        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await Key(arn).RunDueWorkAsync();

        var gone = await Assert.ThrowsAsync<KmsException>(() => Key(arn).DescribeAsync(cluster.Caller));
        Assert.Equal(KmsErrorCode.NotFoundException, gone.Code);
        Assert.Null((await alias.GetTargetAsync()).TargetKeyId);
        var listed = await cluster.Silo(1).GetGrain<IKeyCatalogGrain>($"{arn.AccountId}/{arn.Region}").ListAsync(1000, null);
        Assert.DoesNotContain(arn.KeyId, listed.KeyIds);
        for (var silo = 0; silo < 2; silo++)
        {
            var e = await Assert.ThrowsAsync<KmsException>(async () => await EncryptAsync(arn, 2, silo));
            Assert.Equal(KmsErrorCode.NotFoundException, e.Code);
        }
    }

    [Fact]
    public async Task Cancelling_a_deletion_leaves_the_key_disabled_and_its_ciphertext_usable_after_enabling()
    {
        var arn = await CreateKeyAsync();
        var blob = await EncryptAsync(arn, 3);
        await Key(arn).EnableRotationAsync(cluster.Caller, 365);
        await Key(arn).ScheduleDeletionAsync(cluster.Caller, 30);
        Assert.False((await Key(arn).GetRotationStatusAsync(cluster.Caller)).KeyRotationEnabled);

        await Key(arn).CancelDeletionAsync(cluster.Caller);
        cluster.Time.Advance(TimeSpan.FromDays(31));
        await Key(arn).RunDueWorkAsync();

        var described = await Key(arn).DescribeAsync(cluster.Caller);
        Assert.Equal(KeyStateKind.Disabled, described.KeyState);
        Assert.Null(described.DeletionDate);
        Assert.True((await Key(arn).GetRotationStatusAsync(cluster.Caller)).KeyRotationEnabled);
        await Key(arn).EnableAsync(cluster.Caller);
        Assert.Equal([3], await DecryptAsync(blob));
    }
}
