using Microsoft.Extensions.Logging;
using OrleansKms.Policy;

namespace OrleansKms.Grains;

/// <summary>
/// Multi-Region keys. The primary owns the shared properties (material and every rotation, spec, usage, origin,
/// rotation settings, which Regions hold replicas); every change of them grows <see cref="StoredKey.SharedVersion"/>
/// and is delivered to each replica Region through the durable outbox (<see cref="StoredKey.Outbox"/>), in order
/// (each update carries the whole shared state at its version), idempotently (a replica ignores an update that is
/// not newer), and retried until acknowledged: by a timer while the grain is active and by a reminder across
/// restarts. Independent properties (policy, grants, aliases, tags, description, enabled state) stay per Region.
/// </summary>
public sealed partial class KeyGrain
{
    public const string ReplicationReminder = "kms-replicate";
    private static readonly TimeSpan DeliveryRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(5);
    private IGrainTimer? _replicationTimer;

    /// <summary>An outbox left with work (a restart, a deactivation) resumes as soon as the key is active again.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Exists && HasPendingDeliveries(state.State)) KickReplication();
        return Task.CompletedTask;
    }

    private bool IsPrimary(StoredKey s) => s.MultiRegion && s.PrimaryRegion == Arn.Region;

    private KmsException NotPrimary() =>
        new(KmsErrorCode.UnsupportedOperationException, $"{Arn} is not a multi-region primary key.");

    public async Task<ReplicatedKey> ReplicateAsync(ReplicateKeyCommand command)
    {
        var region = command.ReplicaRegion;
        var current = Authorized(command.Caller, "ReplicateKey", new AccessRequest().With("kms:ReplicaRegion", region));
        if (!IsPrimary(current)) throw NotPrimary();
        EnsureNotDeleting(current);
        if (region == Arn.Region || current.ReplicaRegions.Contains(region))
            throw new KmsException(KmsErrorCode.AlreadyExistsException, $"Key '{new KeyArn(region, Arn.AccountId, Arn.KeyId)}' already exists");
        if (!AwsRegions.SamePartition(region, Arn.Region) || !links.Reaches(region))
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, $"Replica region {region} is not a Region this service serves in the partition of {Arn}.");
        // The replica is a new key in its Region: CreateKey (and TagResource for tags) by the caller's identity policies.
        var create = new AccessRequest().RequestTags(command.Tags).With("kms:KeySpec", current.KeySpec).With("kms:KeyUsage", current.KeyUsage)
            .With("kms:KeyOrigin", current.Origin).With("kms:MultiRegion", ConditionValue.Of(true))
            .With("kms:MultiRegionKeyType", MultiRegionValues.Replica);
        access.AuthorizeCreate(command.Caller, "*", create);
        if (command.Tags.Count > 0) access.AuthorizeCreate(command.Caller, "*", create, "kms:TagResource");
        var replicaArn = new KeyArn(region, Arn.AccountId, Arn.KeyId);
        if (command.Policy is not null)
            CheckNewPolicy(command.Caller, ToSnapshot(current) with { Arn = replicaArn, Policy = command.Policy }, command.BypassPolicyLockoutSafetyCheck);

        var next = current.Clone();
        next.ReplicaRegions.Add(region);
        next.Outbox.Add(new ReplicaDelivery(region, 0, new ReplicaCreation(command.Policy, command.Description, command.Tags)));
        await CommitAndPublishAsync(next);
        logger.LogInformation("Replicating {KeyArn} to {Region}", Arn.Value, region);
        return new ReplicatedKey(PreviewReplica(next, replicaArn, command.Description), command.Policy ?? KeyPolicies.Default(Arn.AccountId, region), command.Tags);
    }

    /// <summary>The new replica as AWS shows it in ReplicateKey's answer: Creating, with no material yet.</summary>
    private KeyMetadata PreviewReplica(StoredKey primary, KeyArn replicaArn, string description) => ToMetadata(primary) with
    {
        Arn = replicaArn.Value,
        KeyState = KeyStateKind.Creating,
        Description = description,
        CreationDate = time.GetUtcNow(),
        CurrentKeyMaterialId = null,
        DeletionDate = null,
        PendingDeletionWindowInDays = null,
        MultiRegionConfiguration = new MultiRegionConfiguration(MultiRegionValues.Replica, Arn.Value, Arn.Region, [replicaArn.Value], [replicaArn.Region]),
    };

    public async Task UpdatePrimaryRegionAsync(KmsCaller caller, string primaryRegion)
    {
        var current = Authorized(caller, "UpdatePrimaryRegion", new AccessRequest().With("kms:PrimaryRegion", primaryRegion));
        if (!IsPrimary(current)) throw NotPrimary();
        EnsureNotDeleting(current);
        if (primaryRegion == Arn.Region) return;
        if (!current.ReplicaRegions.Contains(primaryRegion))
            throw KmsException.KeyNotFound(new KeyArn(primaryRegion, Arn.AccountId, Arn.KeyId).Value);
        if (current.Outbox.Any(d => d.Region == primaryRegion && d.Creation is not null))
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"The replica of {Arn} in {primaryRegion} is still being created.");
        // AWS starts the change only from Enabled, and the old primary is Updating until the new one has taken over.
        KeyStates.EnsureUsable(current.KeyState, Arn);
        var next = current.Clone();
        next.KeyState = KeyStateKind.Updating;
        next.PrimaryRegion = primaryRegion;
        next.ReplicaRegions = [.. current.ReplicaRegions.Where(r => r != primaryRegion).Append(Arn.Region).Order(StringComparer.Ordinal)];
        await CommitAndPublishAsync(next);
        logger.LogInformation("Primary of {KeyId} moves from {From} to {To}", Arn.KeyId, Arn.Region, primaryRegion);
    }

    public async Task ApplyReplicaUpdateAsync(ReplicaUpdate update)
    {
        var current = state.State;
        if (current.Exists && update.SharedVersion <= current.SharedVersion) return;
        if (!current.Exists && update.Creation is null) throw KmsException.KeyNotFound(Arn.Value);
        var next = current.Exists ? current.Clone() : NewReplica(update.Creation!);
        ApplyShared(next, update);
        var becomesPrimary = update.PrimaryRegion == Arn.Region && current.PrimaryRegion != Arn.Region;
        if (becomesPrimary)
        {
            // The new primary tells every other Region, old primary included, with a version of its own.
            next.Outbox = [.. update.ReplicaRegions.Where(r => r != Arn.Region).Select(r => new ReplicaDelivery(r, 0, null))];
            next.SharedVersion = update.SharedVersion + 1;
        }

        next.Version++;
        await CrossRow.RunAsync(async () =>
        {
            await CommitAsync(next);
            if (!current.Exists) await Catalog.AddAsync(Arn.KeyId);
        });
        await publisher.PublishAsync(ToSnapshot(next));
        // A new primary rotates for every Region; a replica (or an old primary) no longer does.
        await EnsureLifecycleReminderAsync();
        KmsReplication.RecordLag(time.GetUtcNow() - update.SentAt, update.SourceRegion, Arn.Region);
    }

    private StoredKey NewReplica(ReplicaCreation creation) => new()
    {
        Exists = true,
        KeyId = Arn.KeyId,
        AccountId = Arn.AccountId,
        Region = Arn.Region,
        Description = creation.Description,
        Policy = creation.Policy,
        Tags = [.. creation.Tags],
        KeyState = KeyStateKind.Creating,
        CreationDate = time.GetUtcNow(),
        MultiRegion = true,
    };

    /// <summary>The shared properties of <paramref name="update"/>, material rewrapped under this Region's root key.</summary>
    private void ApplyShared(StoredKey next, ReplicaUpdate update)
    {
        var materials = new List<WrappedKeyMaterial>(update.Materials.Count);
        foreach (var sealedMaterial in update.Materials)
        {
            if (next.Materials.Find(m => m.KeyMaterialId == sealedMaterial.KeyMaterialId) is { } known)
            {
                materials.Add(known);
                continue;
            }

            using var clear = links.Open(sealedMaterial, Arn.KeyId, Arn.Region);
            materials.Add(new WrappedKeyMaterial(sealedMaterial.KeyMaterialId, protector.Wrap(clear, Arn, sealedMaterial.KeyMaterialId), sealedMaterial.CreatedAt));
        }

        if (update.Origin != ImportValues.OriginExternal)
        {
            next.Materials = materials;
            next.CurrentKeyMaterialId = update.CurrentKeyMaterialId;
        }

        next.KeySpec = update.KeySpec;
        next.KeyUsage = update.KeyUsage;
        next.Origin = update.Origin;
        next.RotationEnabled = update.RotationEnabled;
        next.RotationPeriodInDays = update.RotationPeriodInDays;
        next.NextRotationDate = update.NextRotationDate;
        next.Rotations = [.. update.Rotations];
        next.PrimaryRegion = update.PrimaryRegion;
        next.ReplicaRegions = [.. update.ReplicaRegions];
        next.SharedVersion = update.SharedVersion;
        if (next.KeyState == KeyStateKind.Creating)
            next.KeyState = next.Origin == ImportValues.OriginExternal && next.Materials.Count == 0 ? KeyStateKind.PendingImport : KeyStateKind.Enabled;
    }

    public async Task ReplicaDeletedAsync(string region)
    {
        var current = state.State;
        if (!current.Exists || !IsPrimary(current) || !current.ReplicaRegions.Contains(region)) return;
        var next = current.Clone();
        next.ReplicaRegions.Remove(region);
        next.Outbox.RemoveAll(d => d.Region == region);
        if (next.KeyState == KeyStateKind.PendingReplicaDeletion && next.ReplicaRegions.Count == 0)
        {
            // The last replica is gone: the primary's own waiting period begins.
            next.KeyState = KeyStateKind.PendingDeletion;
            next.DeletionDate = time.GetUtcNow().AddDays(next.PendingDeletionWindowInDays ?? 30);
        }

        await CommitAndPublishAsync(next);
        await EnsureLifecycleReminderAsync();
    }

    /// <summary>Tells the primary this replica is gone (best effort; the primary also learns it from a failed delivery).</summary>
    private async Task TellPrimaryOfDeletionAsync(StoredKey deleted)
    {
        if (!deleted.MultiRegion || deleted.PrimaryRegion is not { } primary || primary == Arn.Region) return;
        try
        {
            using var timeout = new CancellationTokenSource(DeliveryTimeout);
            await links.ReplicaDeletedAsync(primary, Arn.AccountId, Arn.KeyId, Arn.Region, timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogInformation("Could not tell the primary of {KeyId} in {Region} that its replica in {Replica} was deleted: {Error}", Arn.KeyId, primary, Arn.Region, e.Message);
        }
    }

    private void EnsureNotDeleting(StoredKey s)
    {
        if (s.KeyState is KeyStateKind.PendingDeletion or KeyStateKind.PendingReplicaDeletion)
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{Arn} is pending deletion.");
    }

    /// <summary>Whether a change from <paramref name="a"/> to <paramref name="b"/> touches a shared property.</summary>
    private static bool SharedChanged(StoredKey a, StoredKey b) =>
        a.KeySpec != b.KeySpec || a.KeyUsage != b.KeyUsage || a.Origin != b.Origin || a.CurrentKeyMaterialId != b.CurrentKeyMaterialId
        || a.Materials.Count != b.Materials.Count || a.RotationEnabled != b.RotationEnabled || a.RotationPeriodInDays != b.RotationPeriodInDays
        || a.NextRotationDate != b.NextRotationDate || a.Rotations.Count != b.Rotations.Count || a.PrimaryRegion != b.PrimaryRegion
        || !a.ReplicaRegions.SequenceEqual(b.ReplicaRegions);

    private static bool HasPendingDeliveries(StoredKey s) => s.Outbox.Any(d => d.AcknowledgedVersion < s.SharedVersion);

    /// <summary>Starts delivering now (and every <see cref="DeliveryRetry"/> until the outbox is empty).</summary>
    private void KickReplication()
    {
        if (_replicationTimer is not null)
        {
            _replicationTimer.Change(TimeSpan.Zero, DeliveryRetry);
            return;
        }

        _replicationTimer = this.RegisterGrainTimer(DeliverPendingAsync, new GrainTimerCreationOptions(TimeSpan.Zero, DeliveryRetry) { KeepAlive = true });
    }

    private async Task DeliverPendingAsync(CancellationToken cancel)
    {
        var pending = state.State.Outbox.Where(d => d.AcknowledgedVersion < state.State.SharedVersion).ToList();
        await EnsureReplicationReminderAsync(pending.Count > 0);
        if (pending.Count == 0)
        {
            _replicationTimer?.Dispose();
            _replicationTimer = null;
            return;
        }

        foreach (var delivery in pending) await DeliverAsync(delivery);
    }

    private async Task DeliverAsync(ReplicaDelivery delivery)
    {
        var update = UpdateFor(state.State, delivery);
        try
        {
            using var timeout = new CancellationTokenSource(DeliveryTimeout);
            await links.DeliverAsync(update, timeout.Token);
        }
        catch (KmsException e) when (e.Code == KmsErrorCode.NotFoundException && delivery.Creation is null)
        {
            // The replica no longer exists (deleted, and its word did not reach this primary).
            await ReplicaDeletedAsync(delivery.Region);
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogDebug("Delivery of {KeyId} version {Version} to {Region} failed, will retry: {Error}", Arn.KeyId, update.SharedVersion, delivery.Region, e.Message);
            return;
        }

        var next = state.State.Clone();
        var i = next.Outbox.FindIndex(d => d.Region == delivery.Region);
        if (i < 0) return;
        next.Outbox[i] = next.Outbox[i] with { AcknowledgedVersion = Math.Max(next.Outbox[i].AcknowledgedVersion, update.SharedVersion), Creation = null };
        if (next.KeyState == KeyStateKind.Updating && delivery.Region == next.PrimaryRegion)
        {
            // The new primary has taken over: the update of the primary Region is complete here.
            next.KeyState = KeyStateKind.Enabled;
            await CommitAndPublishAsync(next);
            return;
        }

        await CommitAsync(next);
    }

    private ReplicaUpdate UpdateFor(StoredKey s, ReplicaDelivery delivery)
    {
        var sealedMaterials = new List<SealedKeyMaterial>(s.Materials.Count);
        if (s.Origin != ImportValues.OriginExternal)
        {
            foreach (var wrapped in s.Materials)
            {
                using var clear = protector.Unwrap(wrapped, Arn);
                sealedMaterials.Add(links.Seal(clear, Arn.KeyId, wrapped.KeyMaterialId, wrapped.CreatedAt, delivery.Region));
            }
        }

        return new ReplicaUpdate
        {
            KeyId = Arn.KeyId,
            AccountId = Arn.AccountId,
            SourceRegion = Arn.Region,
            TargetRegion = delivery.Region,
            SharedVersion = s.SharedVersion,
            PrimaryRegion = s.PrimaryRegion!,
            ReplicaRegions = s.ReplicaRegions,
            KeySpec = s.KeySpec,
            KeyUsage = s.KeyUsage,
            Origin = s.Origin,
            Materials = sealedMaterials,
            CurrentKeyMaterialId = s.CurrentKeyMaterialId,
            RotationEnabled = s.RotationEnabled,
            RotationPeriodInDays = s.RotationPeriodInDays,
            NextRotationDate = s.NextRotationDate,
            Rotations = s.Rotations,
            Creation = delivery.Creation,
            SentAt = time.GetUtcNow(),
        };
    }

    /// <summary>Keeps the replication reminder registered exactly while the outbox has work: it resumes delivery after a restart.</summary>
    private async Task EnsureReplicationReminderAsync(bool needed)
    {
        var existing = await this.GetReminder(ReplicationReminder);
        if (needed && existing is null) await this.RegisterOrUpdateReminder(ReplicationReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        else if (!needed && existing is not null) await this.UnregisterReminder(existing);
    }

    private MultiRegionConfiguration? ConfigurationOf(StoredKey s)
    {
        if (!s.MultiRegion || s.PrimaryRegion is not { } primary) return null;
        var replicas = s.ReplicaRegions.Order(StringComparer.Ordinal).ToList();
        return new MultiRegionConfiguration(
            primary == Arn.Region ? MultiRegionValues.Primary : MultiRegionValues.Replica,
            new KeyArn(primary, Arn.AccountId, Arn.KeyId).Value, primary,
            [.. replicas.Select(r => new KeyArn(r, Arn.AccountId, Arn.KeyId).Value)], replicas);
    }
}
