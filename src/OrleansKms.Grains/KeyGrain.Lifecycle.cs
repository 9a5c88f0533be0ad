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

    /// <summary>
    /// The longest a lifecycle reminder is registered ahead. .NET timers wait at most about 49.7 days
    /// (<c>uint.MaxValue - 1</c> milliseconds); a later date is reached in steps of this.
    /// </summary>
    public static readonly TimeSpan MaxReminderDueTime = TimeSpan.FromDays(49);

    /// <summary>Whether <see cref="_lifecycleDue"/> is what this activation last registered (false until the first registration).</summary>
    private bool _lifecycleKnown;

    private DateTimeOffset? _lifecycleDue;

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
        await EnsureLifecycleReminderAsync(afterRun: true);
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

    /// <summary>
    /// Keeps the lifecycle reminder due exactly when this key's next scheduled work is (<see cref="NextLifecycleWork"/>):
    /// registered for that date, unregistered while nothing is scheduled. A date further away than
    /// <see cref="MaxReminderDueTime"/> is reached in steps: the reminder fires at the limit and registers again. Work that
    /// is due but could not be done (a failed write) is tried again after <see cref="KmsGrainOptions.LifecycleCheckPeriod"/>,
    /// the reminder's period. Called after every change of a date it depends on; skips the reminder table when this
    /// activation already registered the same date.
    /// </summary>
    private async Task EnsureLifecycleReminderAsync(bool afterRun = false)
    {
        var due = NextLifecycleWork(state.State);
        if (!afterRun && _lifecycleKnown && _lifecycleDue == due) return;
        if (due is { } at)
        {
            var now = time.GetUtcNow();
            var retry = grainOptions.Value.LifecycleCheckPeriod;
            // Still due after a run: the work failed or was refused; try again a period later rather than at once.
            var dueTime = at > now ? at - now : afterRun ? retry : TimeSpan.Zero;
            await this.RegisterOrUpdateReminder(LifecycleReminder, dueTime < MaxReminderDueTime ? dueTime : MaxReminderDueTime, retry);
        }
        else if (await this.GetReminder(LifecycleReminder) is { } existing)
        {
            await this.UnregisterReminder(existing);
        }

        (_lifecycleKnown, _lifecycleDue) = (true, due);
    }

    /// <summary>
    /// When the reminder must next wake this key: the end of its deletion window, else the earlier of its next automatic
    /// rotation (an enabled key that rotates itself: not a replica, whose primary rotates for it) and the expiry of its
    /// imported material. Null when nothing is scheduled.
    /// </summary>
    private DateTimeOffset? NextLifecycleWork(StoredKey s)
    {
        if (!s.Exists) return null;
        if (s.KeyState == KeyStateKind.PendingDeletion) return s.DeletionDate;
        DateTimeOffset? due = null;
        if (s.RotationEnabled && s.KeyState == KeyStateKind.Enabled && !(s.MultiRegion && !IsPrimary(s))) due = s.NextRotationDate;
        if (s.Origin == ImportValues.OriginExternal)
        {
            foreach (var m in ImportsOf(s))
                if (m.Imported && m.ValidTo is { } validTo && (due is null || validTo < due)) due = validTo;
        }

        return due;
    }
}
