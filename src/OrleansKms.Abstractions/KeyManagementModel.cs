namespace OrleansKms;

/// <summary>The key states of AWS KMS; member names are the wire values.</summary>
public enum KeyStateKind
{
    Creating,
    Enabled,
    Disabled,
    PendingDeletion,
    PendingImport,
    PendingReplicaDeletion,
    Unavailable,
    Updating,
}

/// <summary>Wire values of the key attributes this service uses, in one place.</summary>
public static class KmsValues
{
    public const string SymmetricDefault = "SYMMETRIC_DEFAULT";
    public const string EncryptDecrypt = "ENCRYPT_DECRYPT";
    public const string OriginAwsKms = "AWS_KMS";
    public const string KeyManagerCustomer = "CUSTOMER";
    public const string KeyManagerAws = "AWS";
}

/// <summary>A tag on a key.</summary>
[GenerateSerializer, Immutable]
public sealed record KeyTag([property: Id(0)] string TagKey, [property: Id(1)] string TagValue);

/// <summary>What DescribeKey returns for a key (the AWS KeyMetadata fields this service fills).</summary>
[GenerateSerializer, Immutable]
public sealed record KeyMetadata
{
    [Id(0)] public required string AccountId { get; init; }
    [Id(1)] public required string KeyId { get; init; }
    [Id(2)] public required string Arn { get; init; }
    [Id(3)] public required DateTimeOffset CreationDate { get; init; }
    [Id(4)] public required KeyStateKind KeyState { get; init; }
    [Id(5)] public required string Description { get; init; }
    [Id(6)] public required string KeyUsage { get; init; }
    [Id(7)] public required string KeySpec { get; init; }
    [Id(8)] public required string Origin { get; init; }
    [Id(9)] public required string KeyManager { get; init; }
    [Id(10)] public required bool MultiRegion { get; init; }
    [Id(11)] public string? CurrentKeyMaterialId { get; init; }
    [Id(12)] public DateTimeOffset? DeletionDate { get; init; }
    [Id(13)] public int? PendingDeletionWindowInDays { get; init; }
    [Id(14)] public IReadOnlyList<string> EncryptionAlgorithms { get; init; } = [];
    [Id(15)] public IReadOnlyList<string> SigningAlgorithms { get; init; } = [];
    [Id(16)] public IReadOnlyList<string> MacAlgorithms { get; init; } = [];
    [Id(17)] public IReadOnlyList<string> KeyAgreementAlgorithms { get; init; } = [];

    /// <summary>Imported material's expiration model (origin EXTERNAL, while material is imported).</summary>
    [Id(18)] public string? ExpirationModel { get; init; }
    [Id(19)] public DateTimeOffset? ValidTo { get; init; }

    /// <summary>A multi-Region key's primary and replicas; null for a single-Region key.</summary>
    [Id(20)] public MultiRegionConfiguration? MultiRegionConfiguration { get; init; }

    /// <summary>The key's custom key store, its HSM cluster (AWS_CLOUDHSM) or external key id (EXTERNAL_KEY_STORE).</summary>
    [Id(21)] public string? CustomKeyStoreId { get; init; }
    [Id(22)] public string? CloudHsmClusterId { get; init; }
    [Id(23)] public string? XksKeyId { get; init; }

    public bool Enabled => KeyState == KeyStateKind.Enabled;
}

/// <summary>One version of a key's material, wrapped under the region's root key (never in clear).</summary>
[GenerateSerializer, Immutable]
public sealed record WrappedKeyMaterial(
    [property: Id(0)] string KeyMaterialId,
    [property: Id(1)] byte[] Wrapped,
    [property: Id(2)] DateTimeOffset CreatedAt);

/// <summary>
/// An immutable, versioned view of a key that the crypto workers cache: everything a cryptographic operation
/// needs to decide and act, with the material still wrapped. <see cref="Version"/> grows with every change.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KeySnapshot
{
    [Id(0)] public required KeyArn Arn { get; init; }
    [Id(1)] public required long Version { get; init; }
    [Id(2)] public required KeyStateKind KeyState { get; init; }
    [Id(3)] public required string KeyUsage { get; init; }
    [Id(4)] public required string KeySpec { get; init; }
    [Id(5)] public required string? CurrentKeyMaterialId { get; init; }
    [Id(6)] public required IReadOnlyList<WrappedKeyMaterial> Materials { get; init; }

    /// <summary>The key policy (null: AWS's default key policy for the key's account).</summary>
    [Id(7)] public string? Policy { get; init; }

    /// <summary>The key's grants, evaluated on every silo.</summary>
    [Id(8)] public IReadOnlyList<KeyGrant> Grants { get; init; } = [];

    /// <summary>
    /// The sequence number the key's next grant will get: a grant token of a lower sequence names a grant this
    /// snapshot has already seen (and, if it is not in <see cref="Grants"/>, retired or revoked).
    /// </summary>
    [Id(9)] public long NextGrantSequence { get; init; } = 1;

    /// <summary>The key's tags (aws:ResourceTag/*).</summary>
    [Id(10)] public IReadOnlyList<KeyTag> Tags { get; init; } = [];

    [Id(11)] public string Origin { get; init; } = KmsValues.OriginAwsKms;

    /// <summary>The names of the aliases that point to the key (kms:ResourceAliases).</summary>
    [Id(12)] public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>PRIMARY or REPLICA for a multi-Region key (kms:MultiRegionKeyType); null for a single-Region key.</summary>
    [Id(13)] public string? MultiRegionKeyType { get; init; }

    /// <summary>Where the key's material lives when it is in a custom key store; null for keys of this service's own material.</summary>
    [Id(14)] public KeyStoreBinding? KeyStore { get; init; }
}

/// <summary>What CreateKey asks of a new key.</summary>
[GenerateSerializer, Immutable]
public sealed record CreateKeyCommand
{
    [Id(0)] public required KmsCaller Caller { get; init; }
    [Id(1)] public string Description { get; init; } = "";
    [Id(2)] public string KeyUsage { get; init; } = KmsValues.EncryptDecrypt;
    [Id(3)] public string KeySpec { get; init; } = KmsValues.SymmetricDefault;
    [Id(4)] public string Origin { get; init; } = KmsValues.OriginAwsKms;
    [Id(5)] public IReadOnlyList<KeyTag> Tags { get; init; } = [];
    [Id(6)] public string? Policy { get; init; }

    /// <summary>
    /// Material chosen by the caller instead of new material (a development seed's fixed key), already wrapped under
    /// the region's root key and bound to the key's ARN: it never crosses a grain call in clear.
    /// </summary>
    [Id(7)] public WrappedKeyMaterial? Material { get; init; }

    /// <summary>Skip the lockout safety check of <see cref="Policy"/> (BypassPolicyLockoutSafetyCheck).</summary>
    [Id(8)] public bool BypassPolicyLockoutSafetyCheck { get; init; }

    /// <summary>
    /// For the service's own use: an AWS managed key (KeyManager AWS), created with its managed policy on the first
    /// use of its alias through its service, rotated every year.
    /// </summary>
    [Id(9)] public string KeyManager { get; init; } = KmsValues.KeyManagerCustomer;

    /// <summary>A multi-Region primary key (its id starts with <c>mrk-</c>).</summary>
    [Id(10)] public bool MultiRegion { get; init; }

    /// <summary>The custom key store the key's material lives in (origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE).</summary>
    [Id(11)] public string? CustomKeyStoreId { get; init; }

    /// <summary>The external key's id in the external key manager (origin EXTERNAL_KEY_STORE).</summary>
    [Id(12)] public string? XksKeyId { get; init; }
}

/// <summary>One page of ListKeys.</summary>
[GenerateSerializer, Immutable]
public sealed record KeyListPage(
    [property: Id(0)] IReadOnlyList<string> KeyIds,
    [property: Id(1)] string? NextMarker);

/// <summary>
/// One KMS key (grain key: the key ARN). The single writer of the key's state; persists before it answers and
/// pushes the new snapshot to every silo's crypto cache before a change returns. Each area's methods are declared
/// in that area's model file (TagModel.cs, RotationModel.cs, ...); here are the key-management operations and the
/// calls no operation owns.
/// </summary>
public partial interface IKeyGrain : IGrainWithStringKey
{
    Task<KeyMetadata> CreateAsync(CreateKeyCommand command);

    Task<KeyMetadata> DescribeAsync(KmsCaller caller);

    Task EnableAsync(KmsCaller caller);

    Task DisableAsync(KmsCaller caller);

    Task UpdateDescriptionAsync(KmsCaller caller, string description);

    /// <summary>
    /// The snapshot the crypto workers cache (the last committed state); NotFoundException if the key does not exist.
    /// Interleaves with the key's other calls, so a grain this key is calling (an alias, while the key is deleted)
    /// can read it without a call cycle.
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<KeySnapshot> GetSnapshotAsync();

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

    /// <summary>An alias now points to this key (its alias grain says so after committing): kms:ResourceAliases.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task AddAliasAsync(string aliasName);

    /// <summary>An alias no longer points to this key.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task RemoveAliasAsync(string aliasName);
}

/// <summary>
/// The list of keys of one account in one region (grain key: <c>ACCOUNT/REGION</c>), behind ListKeys. It knows
/// which shards hold keys; the key ids themselves live in <see cref="IKeyCatalogShardGrain"/>s.
/// </summary>
public interface IKeyCatalogGrain : IGrainWithStringKey
{
    /// <summary>Adds the key id through its shard (key grains call the shard directly; this is for everyone else).</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task AddAsync(string keyId);

    /// <summary>Removes the key id through its shard, which unlists itself once empty.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task RemoveAsync(string keyId);

    /// <summary>Keys in key-id order after <paramref name="marker"/>, at most <paramref name="limit"/>.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<KeyListPage> ListAsync(int limit, string? marker);

    /// <summary>
    /// Lists the shard (its shard grain calls this before it stores its first key id), unless it has been split: then
    /// answers false, and the shard hands its changes on to its children.
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<bool> ListShardAsync(string shard);

    /// <summary>Whether the shard has been split (a shard asks before its first write that adds nothing).</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<bool> IsSplitAsync(string shard);

    /// <summary>
    /// Records the shard as split into its children (shard name plus one hex digit): the catalog's row lists the
    /// <paramref name="filled"/> children instead of the shard, in one write. The shard has stored its ids into them first.
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task SplitShardAsync(string shard, IReadOnlyList<string> filled);

    /// <summary>Unlists the shard (its shard grain calls this once it has stored itself empty).</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task UnlistShardAsync(string shard);
}
