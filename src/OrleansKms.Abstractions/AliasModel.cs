namespace OrleansKms;

/// <summary>One alias (ListAliases).</summary>
[GenerateSerializer, Immutable]
public sealed record AliasEntry(
    [property: Id(0)] string AliasName,
    [property: Id(1)] string TargetKeyId,
    [property: Id(2)] DateTimeOffset CreationDate,
    [property: Id(3)] DateTimeOffset LastUpdatedDate);

/// <summary>One page of ListAliases.</summary>
[GenerateSerializer, Immutable]
public sealed record AliasListPage(
    [property: Id(0)] IReadOnlyList<AliasEntry> Aliases,
    [property: Id(1)] string? NextMarker);

/// <summary>Where an alias points, and the version of that fact (grows with every change).</summary>
[GenerateSerializer, Immutable]
public sealed record AliasTarget(
    [property: Id(0)] string AliasArn,
    [property: Id(1)] string? TargetKeyId,
    [property: Id(2)] long Version);

/// <summary>One alias (grain key: <c>ACCOUNT/REGION/alias/NAME</c>): the single writer of where it points.</summary>
public interface IAliasGrain : IGrainWithStringKey
{
    Task CreateAsync(KmsCaller caller, KeyArn target);

    Task UpdateAsync(KmsCaller caller, KeyArn target);

    Task DeleteAsync(KmsCaller caller);

    /// <summary>Deletes the alias only if it still points to <paramref name="keyId"/> (the key is being deleted).</summary>
    Task DeleteIfTargetAsync(string keyId);

    Task<AliasTarget> GetTargetAsync();

    /// <summary>
    /// For <c>alias/aws/SERVICE</c>: the AWS managed key of that service, created (with its managed policy, rotated
    /// yearly) and aliased if this is its first use. Only the service calls this, on a request made through it.
    /// </summary>
    Task<KeyArn> EnsureManagedKeyAsync();
}

/// <summary>The aliases of one account in one region (grain key: <c>ACCOUNT/REGION</c>), behind ListAliases.</summary>
public interface IAliasCatalogGrain : IGrainWithStringKey
{
    Task PutAsync(AliasEntry entry);

    Task RemoveAsync(string aliasName);

    /// <summary>Aliases in name order after <paramref name="marker"/>, optionally only those of one key.</summary>
    Task<AliasListPage> ListAsync(string? targetKeyId, int limit, string? marker);
}
