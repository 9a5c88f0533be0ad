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

    /// <summary>The snapshot the crypto workers cache; NotFoundException if the key does not exist.</summary>
    Task<KeySnapshot> GetSnapshotAsync();
}

/// <summary>The list of keys of one account in one region (grain key: <c>ACCOUNT/REGION</c>), behind ListKeys.</summary>
public interface IKeyCatalogGrain : IGrainWithStringKey
{
    Task AddAsync(string keyId);

    Task RemoveAsync(string keyId);

    /// <summary>Keys in key-id order after <paramref name="marker"/>, at most <paramref name="limit"/>.</summary>
    Task<KeyListPage> ListAsync(int limit, string? marker);
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
}

/// <summary>
/// The door into one silo's snapshot cache (grain key: the silo address). KeyGrains call it on every silo
/// to push a changed snapshot.
/// </summary>
public interface ISiloKeyCacheGrain : IGrainWithStringKey
{
    Task ApplyAsync(KeySnapshot snapshot);
}
