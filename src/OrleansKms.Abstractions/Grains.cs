namespace OrleansKms;

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
/// The key ids of one account and region that share their first hex digits (grain key: <c>ACCOUNT/REGION/SHARD</c>,
/// the shard being e.g. <c>3</c>, <c>3f</c> or <c>mrk-3f</c>), sorted. Key grains add to the shard of their id's first
/// digit; a shard that has grown is split into the shards of one more digit and from then on hands each call on to
/// the one of the id's next digit. A shard makes sure its <see cref="IKeyCatalogGrain"/> lists it before it stores its
/// first id, and unlists itself once empty. Changes that arrive while a write is in flight are stored together in the
/// next write; each call answers once its change is stored.
/// </summary>
public interface IKeyCatalogShardGrain : IGrainWithStringKey
{
    Task AddAsync(IReadOnlyList<string> keyIds);

    /// <summary>
    /// CreateKey's first write: stores the id as pending, listed once the key's own row exists (and confirmed by the
    /// shard's next write, or its sweep). Answers once stored.
    /// </summary>
    Task AddPendingAsync(string keyId);

    /// <summary>Removes the key id; returns how many key ids the shard (the one that held it) still holds.</summary>
    Task<int> RemoveAsync(string keyId);

    /// <summary>
    /// Key ids greater than <paramref name="after"/> (all when null) in ordinal order, at most <paramref name="limit"/>:
    /// stored ones, pending ones only if their key exists. A split shard lists its children's.
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<string>> ListAsync(int limit, string? after);

    /// <summary>
    /// Adds key ids without asking the catalog to list the shard: for the catalog itself, which lists the shard
    /// afterwards (it moves ids stored before sharding into the shards while it activates).
    /// </summary>
    Task MoveInAsync(IReadOnlyList<string> keyIds);

    /// <summary>
    /// Stores exactly these ids (and pending ids, with when they were first stored), whatever the shard held: for the
    /// shard being split into this one, before the catalog lists it. Nothing else uses a shard before its parent is split.
    /// </summary>
    Task ReplaceAsync(IReadOnlyList<string> keyIds, IReadOnlyList<KeyValuePair<string, DateTimeOffset>> pending);
}

/// <summary>
/// The hot path: a stateless worker on every silo that does the cryptography from a per-silo cache of key
/// snapshots, touching the KeyGrain only on a miss or when the cached snapshot is older than its bound. Its
/// operations are declared with their area's contracts (CryptoModel.cs, AsymmetricModel.cs).
/// </summary>
public partial interface ICryptoWorker : IGrainWithIntegerKey
{
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
