namespace OrleansKms;

/// <summary>
/// A key whose id was minted for this CreateKey (a random id never used) has no rows in storage yet, so the first
/// activation of its grain need not read its four rows (key, grants, aliases, last usage), which are all absent: on
/// Azurite those four requests were more than half of a CreateKey's. The caller that minted the id says so in the
/// request context of its CreateKey call (<see cref="CreateMintedAsync"/>); Orleans gives the activation that call starts
/// the call's request context, and the KMS grain storage (<c>MintedKeyAwareGrainStorage</c>) answers those reads as "no row" without
/// asking storage.
/// <para>
/// Wrong hints cannot lose data: a row read as absent has no ETag, so its first write is an insert, which fails if
/// the row exists after all. The hint names one grain, so the grains the key grain calls (catalog shards), which see
/// the same request context, still read their rows.
/// </para>
/// </summary>
public static class MintedKeys
{
    private const string ContextKey = "kms.minted-key";

    /// <summary>Creates the key of an id just minted (by <see cref="KeyIds"/>), with no storage reads for it.</summary>
    public static async Task<KeyMetadata> CreateMintedAsync(this IKeyGrain key, CreateKeyCommand command)
    {
        RequestContext.Set(ContextKey, key.GetGrainId().ToString());
        try
        {
            return await key.CreateAsync(command);
        }
        finally
        {
            RequestContext.Remove(ContextKey);
        }
    }

    /// <summary>Whether the current request context says <paramref name="grainId"/> is a key minted by this request.</summary>
    public static bool IsMinted(GrainId grainId) =>
        RequestContext.Get(ContextKey) is string minted && string.Equals(minted, grainId.ToString(), StringComparison.Ordinal);
}
