namespace OrleansKms;

/// <summary>
/// One KMS key (grain key: the key ARN). The single writer of the key's state; persists before it answers and
/// pushes the new snapshot to every silo's crypto cache before a change returns.
/// </summary>
public interface IKeyGrain : IGrainWithStringKey
{
    Task<KeyMetadata> CreateAsync(CreateKeyCommand command);

    Task<KeyMetadata> DescribeAsync(KmsCaller caller);

    Task EnableAsync(KmsCaller caller);

    Task DisableAsync(KmsCaller caller);

    Task UpdateDescriptionAsync(KmsCaller caller, string description);

    /// <summary>The key policy (the default key policy when CreateKey set none).</summary>
    Task<string> GetPolicyAsync(KmsCaller caller);

    /// <summary>Replaces the key policy; the caller has validated the document.</summary>
    Task PutPolicyAsync(KmsCaller caller, string policy);

    /// <summary>
    /// Adds a grant (the id, date and issuing account of <paramref name="requested"/> are the grain's to set), or
    /// returns the grant of the same Name and terms; DryRunOperationException where it would succeed.
    /// </summary>
    Task<CreatedGrant> CreateGrantAsync(KmsCaller caller, KeyGrant requested, bool dryRun);

    /// <summary>The key's grants in creation order, optionally one grant's, one grantee principal's or one grantee service principal's.</summary>
    Task<GrantPage> ListGrantsAsync(KmsCaller caller, int limit, string? marker, string? grantId, string? granteePrincipal, string? granteeServicePrincipal);

    /// <summary>Removes a grant (RetireGrant and RevokeGrant); NotFoundException if the key has no such grant.</summary>
    Task RemoveGrantAsync(KmsCaller caller, string grantId, bool dryRun);

    /// <summary>
    /// The snapshot the crypto workers cache (the last committed state); NotFoundException if the key does not exist.
    /// Interleaves with the key's other calls, so a grain this key is calling (an alias, while the key is deleted)
    /// can read it without a call cycle.
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<KeySnapshot> GetSnapshotAsync();

    Task TagAsync(KmsCaller caller, IReadOnlyList<KeyTag> tags);

    Task UntagAsync(KmsCaller caller, IReadOnlyList<string> tagKeys);

    Task<TagPage> ListTagsAsync(KmsCaller caller, int limit, string? marker);

    Task EnableRotationAsync(KmsCaller caller, int rotationPeriodInDays);

    Task DisableRotationAsync(KmsCaller caller);

    Task<KeyRotationStatus> GetRotationStatusAsync(KmsCaller caller);

    Task RotateOnDemandAsync(KmsCaller caller);

    /// <summary>Rotations, oldest first; with <paramref name="includeAllKeyMaterial"/> the first material leads the list.</summary>
    Task<RotationPage> ListRotationsAsync(KmsCaller caller, int limit, string? marker, bool includeAllKeyMaterial = false);

    Task<ScheduledDeletion> ScheduleDeletionAsync(KmsCaller caller, int pendingWindowInDays);

    Task CancelDeletionAsync(KmsCaller caller);

    /// <summary>
    /// Does what the KMS clock says is due: a scheduled deletion whose date has come, an automatic rotation whose
    /// date has come. The lifecycle reminder calls it; so may an operator or a test.
    /// </summary>
    Task RunDueWorkAsync();

    /// <summary>
    /// Deletes the key at once, whatever its state, as the end of a deletion waiting period does (aliases, grants,
    /// catalog entry, material). Only the development reset calls it.
    /// </summary>
    Task PurgeAsync();
}

/// <summary>One alias (grain key: <c>ACCOUNT/REGION/alias/NAME</c>): the single writer of where it points.</summary>
public interface IAliasGrain : IGrainWithStringKey
{
    Task CreateAsync(KeyArn target);

    Task UpdateAsync(KeyArn target);

    Task DeleteAsync();

    /// <summary>Deletes the alias only if it still points to <paramref name="keyId"/> (the key is being deleted).</summary>
    Task DeleteIfTargetAsync(string keyId);

    Task<AliasTarget> GetTargetAsync();
}

/// <summary>The aliases of one account in one region (grain key: <c>ACCOUNT/REGION</c>), behind ListAliases.</summary>
public interface IAliasCatalogGrain : IGrainWithStringKey
{
    Task PutAsync(AliasEntry entry);

    Task RemoveAsync(string aliasName);

    /// <summary>Aliases in name order after <paramref name="marker"/>, optionally only those of one key.</summary>
    Task<AliasListPage> ListAsync(string? targetKeyId, int limit, string? marker);
}

/// <summary>
/// The aliases of one account and region whose names hash to one shard (grain key: <c>ACCOUNT/REGION/SHARD</c>),
/// sorted by name. Called only by the <see cref="IAliasCatalogGrain"/>.
/// </summary>
public interface IAliasCatalogShardGrain : IGrainWithStringKey
{
    Task PutAsync(IReadOnlyList<AliasEntry> entries);

    /// <summary>Removes the alias; returns how many aliases the shard still holds.</summary>
    Task<int> RemoveAsync(string aliasName);

    /// <summary>Aliases named after <paramref name="after"/> (all when null) in name order, optionally only those of one key.</summary>
    Task<IReadOnlyList<AliasEntry>> ListAsync(string? targetKeyId, int limit, string? after);
}

/// <summary>
/// The list of keys of one account in one region (grain key: <c>ACCOUNT/REGION</c>), behind ListKeys. It knows
/// which shards hold keys; the key ids themselves live in <see cref="IKeyCatalogShardGrain"/>s.
/// </summary>
public interface IKeyCatalogGrain : IGrainWithStringKey
{
    Task AddAsync(string keyId);

    Task RemoveAsync(string keyId);

    /// <summary>Keys in key-id order after <paramref name="marker"/>, at most <paramref name="limit"/>.</summary>
    Task<KeyListPage> ListAsync(int limit, string? marker);
}

/// <summary>
/// The grants of one account and region that one principal may retire (grain key: <c>ACCOUNT/REGION/PRINCIPAL</c>),
/// behind ListRetirableGrants. Kept by the KeyGrains as they add and remove grants.
/// </summary>
public interface IRetirableGrantsGrain : IGrainWithStringKey
{
    Task AddAsync(ListedGrant grant);

    Task RemoveAsync(string keyArn, string grantId);

    Task<GrantPage> ListAsync(int limit, string? marker);
}

/// <summary>
/// The key ids of one account and region that share their first characters (grain key: <c>ACCOUNT/REGION/SHARD</c>,
/// the shard being e.g. <c>3f</c> or <c>mrk-3f</c>), sorted. Called only by the <see cref="IKeyCatalogGrain"/>.
/// </summary>
public interface IKeyCatalogShardGrain : IGrainWithStringKey
{
    Task AddAsync(IReadOnlyList<string> keyIds);

    /// <summary>Removes the key id; returns how many key ids the shard still holds.</summary>
    Task<int> RemoveAsync(string keyId);

    /// <summary>Key ids greater than <paramref name="after"/> (all when null) in ordinal order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<string>> ListAsync(int limit, string? after);
}

/// <summary>
/// The hot path: a stateless worker on every silo that does the cryptography from a per-silo cache of key
/// snapshots, touching the KeyGrain only on a miss or when the cached snapshot is older than its bound.
/// </summary>
public interface ICryptoWorker : IGrainWithIntegerKey
{
    ValueTask<EncryptResult> EncryptAsync(EncryptCommand command);

    ValueTask<DecryptResult> DecryptAsync(DecryptCommand command);

    ValueTask<ReEncryptResult> ReEncryptAsync(ReEncryptCommand command);

    ValueTask<DataKeyResult> GenerateDataKeyAsync(GenerateDataKeyCommand command, bool includePlaintext);

    ValueTask<SignatureResult> SignAsync(SignatureCommand command);

    /// <summary>KMSInvalidSignatureException when the signature does not verify.</summary>
    ValueTask<SignatureResult> VerifyAsync(SignatureCommand command);

    ValueTask<MacResult> GenerateMacAsync(MacCommand command);

    /// <summary>KMSInvalidMacException when the MAC does not verify.</summary>
    ValueTask<MacResult> VerifyMacAsync(MacCommand command);

    ValueTask<SharedSecretResult> DeriveSharedSecretAsync(SharedSecretCommand command);

    ValueTask<PublicKeyResult> GetPublicKeyAsync(KmsCaller caller, string keyId, string region);

    ValueTask<DataKeyPairResult> GenerateDataKeyPairAsync(DataKeyPairCommand command, bool includePlaintext);

    /// <summary>
    /// The key a KeyId names: key id, key ARN, alias name or alias ARN (aliases from this silo's cache).
    /// </summary>
    ValueTask<KeyArn> ResolveAsync(KmsCaller caller, string keyId, string region);
}

/// <summary>
/// The door into one silo's snapshot cache (grain key: the silo address). KeyGrains call it on every silo
/// to push a changed snapshot.
/// </summary>
public interface ISiloKeyCacheGrain : IGrainWithStringKey
{
    Task ApplyAsync(KeySnapshot snapshot);

    /// <summary>The key no longer exists.</summary>
    Task RemoveAsync(string keyArn);

    Task ApplyAliasAsync(AliasTarget alias);
}
