namespace OrleansKms.Grains;

/// <summary>The stored state of one alias.</summary>
[GenerateSerializer]
public sealed class StoredAlias
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string TargetKeyId { get; set; } = "";
    [Id(2)] public DateTimeOffset CreationDate { get; set; }
    [Id(3)] public DateTimeOffset LastUpdatedDate { get; set; }
    /// <summary>Grows with every change, including deletion, so caches can order what they hear.</summary>
    [Id(4)] public long Version { get; set; }

    /// <summary>Not stored: the key the alias pointed to before this change, told it no longer does.</summary>
    [field: NonSerialized]
    public string? PreviousTargetKeyId { get; set; }
}

/// <summary>
/// One alias: the single writer of its target. Persists, records itself in the account's alias catalog, and pushes
/// the new target to every silo's alias cache before it answers.
/// </summary>
public sealed class AliasGrain(
    [PersistentState("alias", KmsGrainOptionsDefaults.StorageName)] IPersistentState<StoredAlias> state,
    SnapshotPublisher publisher,
    KeyAccess access,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(KmsTime.ServiceKey)] TimeProvider time) : Grain, IAliasGrain, IRemindable
{
    private CrossRowChanges? _crossRow;

    private CrossRowChanges CrossRow => _crossRow ??= new CrossRowChanges(this, MendAllAsync);

    private (string AccountId, string Region, string AliasName) Name
    {
        get
        {
            var parts = this.GetPrimaryKeyString().Split('/', 3);
            return (parts[0], parts[1], parts[2]);
        }
    }

    private string AliasArn => AliasNames.Arn(Name.AccountId, Name.Region, Name.AliasName);

    private IAliasCatalogGrain Catalog => GrainFactory.GetGrain<IAliasCatalogGrain>(KeyCatalog.GrainKey(Name.AccountId, Name.Region));

    public async Task CreateAsync(KmsCaller caller, KeyArn target)
    {
        access.AuthorizeIdentity(caller, "kms:CreateAlias", AliasArn);
        var snapshot = await GrainFactory.GetGrain<IKeyGrain>(target.Value).GetSnapshotAsync();
        access.Authorize(caller, KmsPermissions.For("CreateAlias")[1], snapshot);
        if (state.State.Exists)
            throw new KmsException(KmsErrorCode.AlreadyExistsException, $"An alias with the name {AliasArn} already exists");
        EnsureTarget(snapshot);
        var now = time.GetUtcNow();
        await CommitAsync(new StoredAlias { Exists = true, TargetKeyId = target.KeyId, CreationDate = now, LastUpdatedDate = now, Version = state.State.Version + 1 });
    }

    public async Task UpdateAsync(KmsCaller caller, KeyArn target)
    {
        access.AuthorizeIdentity(caller, "kms:UpdateAlias", AliasArn);
        if (!state.State.Exists) throw AliasNames.NotFound(AliasArn);
        var current = await CurrentTargetAsync();
        if (current is not null) access.Authorize(caller, KmsPermissions.For("UpdateAlias")[1], current);
        var next = await GrainFactory.GetGrain<IKeyGrain>(target.Value).GetSnapshotAsync();
        access.Authorize(caller, KmsPermissions.For("UpdateAlias")[2], next);
        EnsureTarget(next);
        if (current is not null && (current.KeyUsage != next.KeyUsage || current.KeySpec != next.KeySpec))
        {
            throw KmsException.Validation(
                $"{target} key usage {next.KeyUsage} and key spec {next.KeySpec} differ from those of the current target of {AliasArn} " +
                $"({current.KeyUsage}, {current.KeySpec}): an alias may only point to a key of the same type and usage.");
        }

        await CommitAsync(new StoredAlias
        {
            Exists = true,
            PreviousTargetKeyId = state.State.TargetKeyId,
            TargetKeyId = target.KeyId,
            CreationDate = state.State.CreationDate,
            LastUpdatedDate = time.GetUtcNow(),
            Version = state.State.Version + 1,
        });
    }

    public async Task DeleteAsync(KmsCaller caller)
    {
        access.AuthorizeIdentity(caller, "kms:DeleteAlias", AliasArn);
        if (!state.State.Exists) throw AliasNames.NotFound(AliasArn);
        if (await CurrentTargetAsync() is { } current) access.Authorize(caller, KmsPermissions.For("DeleteAlias")[1], current);
        await RemoveAsync(tellKey: true);
    }

    /// <summary>The key is being deleted (its alias row goes with it): the key is not told.</summary>
    public async Task DeleteIfTargetAsync(string keyId)
    {
        if (state.State.Exists && state.State.TargetKeyId == keyId) await RemoveAsync(tellKey: false);
    }

    public async Task<KeyArn> EnsureManagedKeyAsync()
    {
        var (account, region, name) = Name;
        if (!name.StartsWith(AliasNames.ReservedPrefix, StringComparison.Ordinal) || name.Length == AliasNames.ReservedPrefix.Length)
            throw new InvalidOperationException($"{name} is not the alias of an AWS managed key.");
        if (state.State.Exists) return new KeyArn(region, account, state.State.TargetKeyId);
        var service = name[AliasNames.ReservedPrefix.Length..];
        var arn = new KeyArn(region, account, KeyIds.NewSingleRegion());
        var accountRoot = new KmsCaller(account, $"arn:{KeyArn.PartitionOf(region)}:iam::{account}:root", "aws-managed");
        await GrainFactory.GetGrain<IKeyGrain>(arn.Value).CreateMintedAsync(new CreateKeyCommand
        {
            Caller = accountRoot,
            Description = $"Default key that protects my {service} data when no other key is defined",
            Policy = KeyPolicies.AwsManaged(account, region, service),
            BypassPolicyLockoutSafetyCheck = true,
            KeyManager = KmsValues.KeyManagerAws,
        });
        var now = time.GetUtcNow();
        await CommitAsync(new StoredAlias { Exists = true, TargetKeyId = arn.KeyId, CreationDate = now, LastUpdatedDate = now, Version = state.State.Version + 1 });
        return arn;
    }

    public Task<AliasTarget> GetTargetAsync() =>
        Task.FromResult(new AliasTarget(AliasArn, state.State.Exists ? state.State.TargetKeyId : null, state.State.Version));

    /// <summary>The key the alias points to now, or null if that key is gone.</summary>
    private async Task<KeySnapshot?> CurrentTargetAsync()
    {
        try
        {
            return await GrainFactory.GetGrain<IKeyGrain>(new KeyArn(Name.Region, Name.AccountId, state.State.TargetKeyId).Value).GetSnapshotAsync();
        }
        catch (KmsException e) when (e.Code == KmsErrorCode.NotFoundException)
        {
            return null;
        }
    }

    private static void EnsureTarget(KeySnapshot snapshot)
    {
        if (snapshot.KeyState == KeyStateKind.PendingDeletion)
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{snapshot.Arn} is pending deletion.");
    }

    private IKeyGrain KeyOf(string keyId) => GrainFactory.GetGrain<IKeyGrain>(new KeyArn(Name.Region, Name.AccountId, keyId).Value);

    private async Task RemoveAsync(bool tellKey)
    {
        var version = state.State.Version + 1;
        var target = state.State.TargetKeyId;
        await CrossRow.RunAsync(async () =>
        {
            if (tellKey) await KeyOf(target).RemoveAliasAsync(Name.AliasName); // removals first: a failure after it is mended
            await state.ClearStateAsync();
            state.State = new StoredAlias { Version = version };
            await state.WriteStateAsync();
            await Catalog.RemoveAsync(Name.AliasName);
        });
        await publisher.PublishAliasAsync(new AliasTarget(AliasArn, null, version));
    }

    private async Task CommitAsync(StoredAlias next)
    {
        await CrossRow.RunAsync(async () =>
        {
            if (next.PreviousTargetKeyId is { Length: > 0 } previous && previous != next.TargetKeyId)
                await KeyOf(previous).RemoveAliasAsync(Name.AliasName);
            await state.CommitAsync(next);
            await Catalog.PutAsync(Entry(next));
            await KeyOf(next.TargetKeyId).AddAliasAsync(Name.AliasName);
        });
        await publisher.PublishAliasAsync(new AliasTarget(AliasArn, next.TargetKeyId, next.Version));
    }

    private AliasEntry Entry(StoredAlias alias) => new(Name.AliasName, alias.TargetKeyId, alias.CreationDate, alias.LastUpdatedDate);

    /// <summary>The alias catalog as this alias's row says it should be.</summary>
    private async Task MendAllAsync()
    {
        if (!state.State.Exists)
        {
            await Catalog.RemoveAsync(Name.AliasName);
            return;
        }

        await Catalog.PutAsync(Entry(state.State));
        await KeyOf(state.State.TargetKeyId).AddAliasAsync(Name.AliasName);
    }

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == CrossRowChanges.MendReminder ? CrossRow.MendAsync() : Task.CompletedTask;
}
