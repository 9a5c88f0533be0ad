using OrleansKms.Policy;
using Microsoft.Extensions.Logging;

namespace OrleansKms.Grains;

/// <summary>
/// Scheduled deletion and the lifecycle reminder. The reminder only wakes the grain; what is due is decided from
/// the KMS clock, so a test moves a fake clock and calls <see cref="RunDueWorkAsync"/>.
/// </summary>
public sealed partial class KeyGrain
{
    public const string LifecycleReminder = "kms-lifecycle";

    public async Task<ScheduledDeletion> ScheduleDeletionAsync(KmsCaller caller, int pendingWindowInDays)
    {
        var current = Authorized(caller, "ScheduleKeyDeletion", new AccessRequest().With("kms:ScheduleKeyDeletionPendingWindowInDays", ConditionValue.Of(pendingWindowInDays)));
        EnsureNotDeleting(current);
        var next = current.Clone();
        // A primary with replicas waits for them to be deleted first; its own waiting period starts after that.
        var waitsForReplicas = IsPrimary(current) && current.ReplicaRegions.Count > 0;
        next.KeyState = waitsForReplicas ? KeyStateKind.PendingReplicaDeletion : KeyStateKind.PendingDeletion;
        next.DeletionDate = waitsForReplicas ? null : time.GetUtcNow().AddDays(pendingWindowInDays);
        next.PendingDeletionWindowInDays = pendingWindowInDays;
        await CommitAndPublishAsync(next);
        await EnsureLifecycleReminderAsync();
        return new ScheduledDeletion(Arn.Value, next.DeletionDate, next.KeyState, pendingWindowInDays);
    }

    public async Task CancelDeletionAsync(KmsCaller caller)
    {
        var current = Authorized(caller, "CancelKeyDeletion");
        if (current.KeyState is not (KeyStateKind.PendingDeletion or KeyStateKind.PendingReplicaDeletion))
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{Arn} is not pending deletion.");
        var next = current.Clone();
        // A key of origin EXTERNAL whose material was deleted or expired goes back to waiting for it, as in AWS.
        next.KeyState = current.Origin == ImportValues.OriginExternal && current.Materials.All(m => m.KeyMaterialId != current.CurrentKeyMaterialId)
            ? KeyStateKind.PendingImport
            : KeyStateKind.Disabled;
        next.DeletionDate = null;
        next.PendingDeletionWindowInDays = null;
        await CommitAndPublishAsync(next);
        await EnsureLifecycleReminderAsync();
    }

    public async Task RunDueWorkAsync()
    {
        await CrossRow.MendAsync();
        if (!state.State.Exists)
        {
            await EnsureLifecycleReminderAsync();
            return;
        }

        var now = time.GetUtcNow();
        if (state.State.KeyState == KeyStateKind.PendingDeletion && state.State.DeletionDate <= now)
        {
            await DeleteNowAsync();
            return;
        }

        await RotateIfDueAsync(now);
        await ExpireImportedMaterialIfDueAsync(now);
        await EnsureLifecycleReminderAsync();
    }

    public Task PurgeAsync() => state.State.Exists ? DeleteNowAsync() : Catalog.RemoveAsync(Arn.KeyId);

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) => reminderName switch
    {
        LifecycleReminder => RunDueWorkAsync(),
        ReplicationReminder => ResumeReplicationAsync(),
        CrossRowChanges.MendReminder => CrossRow.MendAsync(),
        _ => Task.CompletedTask,
    };

    /// <summary>The end of the waiting period: material purged from storage, aliases and grants removed, out of ListKeys.</summary>
    private async Task DeleteNowAsync()
    {
        var aliases = GrainFactory.GetGrain<IAliasCatalogGrain>(KeyCatalog.GrainKey(Arn.AccountId, Arn.Region));
        for (string? marker = null; ;)
        {
            var page = await aliases.ListAsync(Arn.KeyId, 100, marker);
            foreach (var alias in page.Aliases)
                await GrainFactory.GetGrain<IAliasGrain>(AliasNames.GrainKey(Arn.AccountId, Arn.Region, alias.AliasName)).DeleteIfTargetAsync(Arn.KeyId);
            if (page.NextMarker is null) break;
            marker = page.NextMarker;
        }

        await RecordTombstoneAsync(_committed ?? state.State);
        await Catalog.RemoveAsync(Arn.KeyId);
        if (state.State.KeyStore is { } keyStore) await KeyStoreOf(keyStore.CustomKeyStoreId).RemoveKeyAsync(Arn.KeyId);
        await DeleteGrantsAsync();
        await aliasState.ClearStateAsync();
        aliasState.State = new KeyAliasesState();
        await ClearLastUsageAsync();
        var deleted = _committed ??= state.State;
        await state.ClearStateAsync();
        state.State = _committed = new StoredKey();
        serviceEvents.Record(new KmsServiceEvent("DeleteKey", Arn, time.GetUtcNow(), []));
        await EnsureLifecycleReminderAsync();
        await publisher.PublishRemovalAsync(Arn);
        await TellPrimaryOfDeletionAsync(deleted);
        logger.LogInformation("Deleted key {KeyArn} at the end of its waiting period", Arn.Value);
        DeactivateOnIdle();
    }

    private Task ResumeReplicationAsync()
    {
        KickReplication();
        return Task.CompletedTask;
    }

    /// <summary>Keeps the lifecycle reminder registered exactly while something is scheduled.</summary>
    private async Task EnsureLifecycleReminderAsync()
    {
        var s = state.State;
        var needed = s.Exists && (s.KeyState == KeyStateKind.PendingDeletion || s.RotationEnabled || HasExpiringMaterial(s));
        var existing = await this.GetReminder(LifecycleReminder);
        if (needed && existing is null)
        {
            var period = grainOptions.Value.LifecycleCheckPeriod;
            await this.RegisterOrUpdateReminder(LifecycleReminder, period, period);
        }
        else if (!needed && existing is not null)
        {
            await this.UnregisterReminder(existing);
        }
    }
}
