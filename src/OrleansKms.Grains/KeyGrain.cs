using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansKms.Crypto;
using OrleansKms.Crypto.Keys;
using OrleansKms.Policy;

namespace OrleansKms.Grains;

/// <summary>
/// One KMS key: the single writer of its state. Every change is built on a copy, persisted, and only then made
/// current (a failed write leaves the key as it was); then the new snapshot is pushed to every silo's crypto cache
/// before the call answers.
/// </summary>
public sealed partial class KeyGrain(
    [PersistentState("key", KmsGrainOptionsDefaults.StorageName)] IPersistentState<StoredKey> state,
    [PersistentState("grants", KmsGrainOptionsDefaults.StorageName)] IPersistentState<KeyGrantsState> grantState,
    [PersistentState("aliases", KmsGrainOptionsDefaults.StorageName)] IPersistentState<KeyAliasesState> aliasState,
    [PersistentState("lastusage", KmsGrainOptionsDefaults.StorageName)] IPersistentState<KeyLastUsageState> lastUsageState,
    IKeyMaterialProtector protector,
    IServiceSecrets secrets,
    KeyAccess access,
    SnapshotPublisher publisher,
    RegionLinks links,
    IKmsServiceEvents serviceEvents,
    RsaKeyPool rsaKeys,
    Microsoft.Extensions.Options.IOptions<KmsGrainOptions> grainOptions,
    [FromKeyedServices(KmsTime.ServiceKey)] TimeProvider time,
    ILogger<KeyGrain> logger) : Grain, IKeyGrain, IRemindable
{
    private KeyArn? _arn;

    /// <summary>The last committed state: what an interleaved <see cref="GetSnapshotAsync"/> sees while a write is in flight.</summary>
    private StoredKey? _committed;

    private CrossRowChanges? _crossRow;

    private KeyArn Arn => _arn ??= KeyArn.TryParse(this.GetPrimaryKeyString(), out var arn)
        ? arn.Value
        : throw new InvalidOperationException($"Grain key {this.GetPrimaryKeyString()} is not a key ARN.");

    public async Task<KeyMetadata> CreateAsync(CreateKeyCommand command)
    {
        if (state.State.Exists) throw new KmsException(KmsErrorCode.AlreadyExistsException, $"Key '{Arn}' already exists");
        AuthorizeCreate(command);
        // The same rule the gateway applies, for applications that call the grain directly.
        if (KeySpecCatalog.CreationProblem(command.KeySpec, command.KeyUsage, Arn.Region) is { } problem) throw KmsException.Validation(problem);
        // A key of origin EXTERNAL starts without material, pending its import.
        var external = command.Origin == ImportValues.OriginExternal;
        var keyStore = command.CustomKeyStoreId is { } storeId ? await KeyStoreOf(storeId).CreateKeyAsync(Arn.KeyId, command.XksKeyId, command.Caller.PrincipalArn) : null;
        var inHsm = keyStore?.Type == KeyStoreValues.CloudHsm;
        var wrapped = external || inHsm ? null : command.Material ?? NewMaterial(command.KeySpec);
        var next = new StoredKey
        {
            Exists = true,
            KeyId = Arn.KeyId,
            AccountId = Arn.AccountId,
            Region = Arn.Region,
            Description = command.Description,
            KeyUsage = command.KeyUsage,
            KeySpec = command.KeySpec,
            Origin = command.Origin,
            KeyState = external ? KeyStateKind.PendingImport : KeyStateKind.Enabled,
            CreationDate = time.GetUtcNow(),
            Policy = command.Policy,
            KeyManager = command.KeyManager,
            Tags = [.. command.Tags],
            Materials = wrapped is null ? [] : [wrapped],
            CurrentKeyMaterialId = inHsm ? HsmMaterialId(keyStore!) : wrapped?.KeyMaterialId,
            KeyStore = keyStore,
            Version = 1,
            MultiRegion = command.MultiRegion,
            PrimaryRegion = command.MultiRegion ? Arn.Region : null,
            SharedVersion = command.MultiRegion ? 1 : 0,
        };
        if (command.Policy is not null) CheckNewPolicy(command.Caller, ToSnapshot(next), command.BypassPolicyLockoutSafetyCheck);
        if (next.KeyManager == KmsValues.KeyManagerAws)
        {
            // AWS managed keys rotate every year, and nobody can change that.
            next.RotationEnabled = true;
            next.RotationPeriodInDays = 365;
            next.NextRotationDate = next.CreationDate.AddDays(365);
        }

        // The catalog shard first (as pending: listed once this row exists), then the key: a CreateKey that dies in
        // between lists nothing, and one that answers is listed, with no mend reminder (KeyCatalogShardGrain).
        await CatalogShard.AddPendingAsync(Arn.KeyId);
        await CommitAsync(next);
        if (next.RotationEnabled) await EnsureLifecycleReminderAsync();
        logger.LogInformation("Created key {KeyArn}", Arn.Value);
        return ToMetadata(state.State);
    }

    private WrappedKeyMaterial NewMaterial(string keySpec)
    {
        var (materialId, material) = KeyMaterials.Generate(keySpec, rsaKeys);
        using var _ = material;
        return new WrappedKeyMaterial(materialId, protector.Wrap(material, Arn, materialId), time.GetUtcNow());
    }

    public Task<KeyMetadata> DescribeAsync(KmsCaller caller) => Task.FromResult(ToMetadata(Authorized(caller, "DescribeKey")));

    public Task EnableAsync(KmsCaller caller) => ChangeStateAsync(Authorized(caller, "EnableKey"), KeyStateKind.Enabled);

    public Task DisableAsync(KmsCaller caller) => ChangeStateAsync(Authorized(caller, "DisableKey"), KeyStateKind.Disabled);

    public async Task UpdateDescriptionAsync(KmsCaller caller, string description)
    {
        var current = Authorized(caller, "UpdateKeyDescription");
        KeyStates.EnsureNotPendingDeletion(current.KeyState, Arn);
        var next = current.Clone();
        next.Description = description;
        next.Version++;
        await CommitAsync(next);
    }

    public Task<string> GetPolicyAsync(KmsCaller caller) =>
        Task.FromResult(Authorized(caller, "GetKeyPolicy").Policy ?? KeyPolicies.Default(Arn.AccountId, Arn.Region));

    /// <summary>Allowed in every state a key can be in, as in AWS (a key pending deletion keeps its policy editable).</summary>
    public async Task PutPolicyAsync(KmsCaller caller, string policy, bool bypassLockoutSafetyCheck = false)
    {
        var current = Authorized(caller, "PutKeyPolicy", new AccessRequest().With("kms:BypassPolicyLockoutSafetyCheck", ConditionValue.Of(bypassLockoutSafetyCheck)));
        var next = current.Clone();
        next.Policy = policy;
        CheckNewPolicy(caller, ToSnapshot(next), bypassLockoutSafetyCheck);
        await CommitAndPublishAsync(next);
    }

    /// <summary>
    /// The caller may do <paramref name="operation"/> (its <paramref name="index"/>th permission) on this key, which
    /// exists; else AWS's error. Checked before the key's state, as AWS does.
    /// </summary>
    private StoredKey Authorized(KmsCaller caller, string operation, AccessRequest? request = null, int index = 0)
    {
        var permission = KmsPermissions.For(operation)[index];
        access.EnsureSameAccountIfRequired(caller, permission, Arn);
        var current = Existing();
        access.Authorize(caller, permission, ToSnapshot(current), request);
        return current;
    }

    /// <summary>CreateKey needs only identity policies (an account root is allowed), and kms:TagResource too when it tags.</summary>
    private void AuthorizeCreate(CreateKeyCommand command)
    {
        var request = new AccessRequest().RequestTags(command.Tags)
            .With("kms:KeySpec", command.KeySpec).With("kms:KeyUsage", command.KeyUsage).With("kms:KeyOrigin", command.Origin)
            .With("kms:MultiRegion", ConditionValue.Of(command.MultiRegion))
            .With("kms:BypassPolicyLockoutSafetyCheck", ConditionValue.Of(command.BypassPolicyLockoutSafetyCheck));
        access.AuthorizeCreate(command.Caller, "*", request);
        if (command.Tags.Count > 0) access.AuthorizeCreate(command.Caller, "*", request, "kms:TagResource");
    }

    /// <summary>
    /// A new key policy: valid in AWS's grammar (MalformedPolicyDocumentException otherwise), and, unless the caller
    /// bypasses it, one that lets the caller put a policy again (the lockout safety check, decided by evaluation).
    /// </summary>
    private void CheckNewPolicy(KmsCaller caller, KeySnapshot underNewPolicy, bool bypassLockoutSafetyCheck)
    {
        KeyPolicyDocument.Check(underNewPolicy.Policy!);
        access.CompileKeyPolicy(underNewPolicy.Policy!);
        if (!bypassLockoutSafetyCheck && !access.AllowsPolicyUpdate(caller, underNewPolicy))
        {
            throw new KmsException(KmsErrorCode.MalformedPolicyDocumentException,
                "The new key policy will not allow you to update the key policy in the future.");
        }
    }

    public Task<KeySnapshot> GetSnapshotAsync()
    {
        var committed = _committed ?? state.State;
        return committed.Exists ? Task.FromResult(ToSnapshot(committed)) : throw KmsException.KeyNotFound(Arn.Value);
    }

    private async Task ChangeStateAsync(StoredKey current, KeyStateKind target)
    {
        KeyStates.EnsureManageable(current.KeyState, Arn);
        if (current.KeyState == target) return;
        var next = current.Clone();
        next.KeyState = target;
        await CommitAndPublishAsync(next);
        // A disabled key does not rotate: its rotation date stops or starts waking it.
        if (next.RotationEnabled) await EnsureLifecycleReminderAsync();
    }

    /// <summary>Persists a change that the crypto workers must see, then pushes it to every silo.</summary>
    private async Task CommitAndPublishAsync(StoredKey next)
    {
        next.Version++;
        await CommitAsync(next);
        await publisher.PublishAsync(ToSnapshot(next));
    }

    private IKeyCatalogGrain Catalog => GrainFactory.GetGrain<IKeyCatalogGrain>(KeyCatalog.GrainKey(Arn.AccountId, Arn.Region));

    /// <summary>The catalog shard that lists this key: added to directly, so that CreateKeys do not queue at the catalog.</summary>
    private IKeyCatalogShardGrain CatalogShard => KeyCatalog.ShardOf(GrainFactory, Arn.AccountId, Arn.Region, Arn.KeyId);

    private CrossRowChanges CrossRow => _crossRow ??= new CrossRowChanges(this, MendAllAsync);

    /// <summary>What a change interrupted between rows may have left undone: the catalog entry, the retiring index entries.</summary>
    private async Task MendAllAsync()
    {
        if (state.State.Exists) await CatalogShard.AddAsync([Arn.KeyId]);
        foreach (var grant in grantState.State.Grants)
        {
            if (RetiringIndex(grant) is { } index) await index.AddAsync(new ListedGrant(Arn.Value, grant));
        }
    }

    private StoredKey Existing() => state.State.Exists ? state.State : throw KmsException.KeyNotFound(Arn.Value);

    /// <summary>
    /// Persists <paramref name="next"/> and makes it current. On a multi-Region primary, a change of a shared property
    /// takes the next shared version and is queued for every replica Region in the same write (the outbox).
    /// </summary>
    private async Task CommitAsync(StoredKey next)
    {
        _committed ??= state.State;
        var previous = _committed;
        if (previous.Exists && IsPrimary(previous) && SharedChanged(previous, next)) next.SharedVersion = previous.SharedVersion + 1;
        await state.CommitAsync(next);
        _committed = next;
        if (HasPendingDeliveries(next)) KickReplication();
    }

    /// <summary>
    /// The key as every silo's crypto workers see it. Its version is the key row's plus the grant row's change count:
    /// both only grow, so every change of either gives a newer snapshot.
    /// </summary>
    private KeySnapshot ToSnapshot(StoredKey s) => new()
    {
        Arn = Arn,
        Version = s.Version + grantState.State.Changes + aliasState.State.Changes,
        KeyState = EffectiveState(s),
        KeyUsage = s.KeyUsage,
        KeySpec = s.KeySpec,
        CurrentKeyMaterialId = s.CurrentKeyMaterialId,
        Materials = s.Materials,
        Policy = s.Policy,
        Grants = grantState.State.Grants,
        NextGrantSequence = grantState.State.NextSequence,
        Tags = s.Tags,
        Origin = s.Origin,
        Aliases = aliasState.State.Names,
        MultiRegionKeyType = s.MultiRegion ? (IsPrimary(s) ? MultiRegionValues.Primary : MultiRegionValues.Replica) : null,
        KeyStore = s.KeyStore,
    };

    private KeyMetadata ToMetadata(StoredKey s)
    {
        var algorithms = KeyMaterials.Algorithms(s.KeySpec, s.KeyUsage);
        return new()
        {
            AccountId = s.AccountId,
            KeyId = s.KeyId,
            Arn = Arn.Value,
            CreationDate = s.CreationDate,
            KeyState = EffectiveState(s),
            Description = s.Description,
            KeyUsage = s.KeyUsage,
            KeySpec = s.KeySpec,
            Origin = s.Origin,
            KeyManager = s.KeyManager,
            MultiRegion = s.MultiRegion,
            MultiRegionConfiguration = ConfigurationOf(s),
            CustomKeyStoreId = s.KeyStore?.CustomKeyStoreId,
            CloudHsmClusterId = s.KeyStore?.CloudHsmClusterId,
            XksKeyId = s.KeyStore?.Type == KeyStoreValues.External ? s.KeyStore.ExternalKeyId : null,
            CurrentKeyMaterialId = s.CurrentKeyMaterialId,
            DeletionDate = s.DeletionDate,
            PendingDeletionWindowInDays = s.PendingDeletionWindowInDays,
            EncryptionAlgorithms = algorithms.Encryption,
            SigningAlgorithms = algorithms.Signing,
            MacAlgorithms = algorithms.Mac,
            KeyAgreementAlgorithms = algorithms.Agreement,
            ExpirationModel = s.ExpirationModel,
            ValidTo = s.ValidTo,
        };
    }
}
