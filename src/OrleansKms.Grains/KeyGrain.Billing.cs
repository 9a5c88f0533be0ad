namespace OrleansKms.Grains;

/// <summary>
/// Billing facts (<c>kms cost</c>): read from the key's committed state, and kept as a tombstone when the key is
/// purged so the month's bill still charges the hours it existed.
/// </summary>
public sealed partial class KeyGrain
{
    public Task<KeyBillingFacts?> GetBillingFactsAsync()
    {
        var s = _committed ?? state.State;
        return Task.FromResult(s.Exists ? BillingFacts(s, deletedAt: null) : null);
    }

    /// <summary>Called as the key is purged, before its state is cleared: a failure stops the purge, to be retried.</summary>
    private Task RecordTombstoneAsync(StoredKey deleted)
    {
        var now = time.GetUtcNow();
        var key = KeyTombstones.GrainKey(Arn.AccountId, Arn.Region, now);
        return GrainFactory.GetGrain<IKeyTombstoneGrain>(key).AddAsync(BillingFacts(deleted, now));
    }

    private KeyBillingFacts BillingFacts(StoredKey s, DateTimeOffset? deletedAt) => new()
    {
        KeyArn = Arn.Value,
        KeySpec = s.KeySpec,
        KeyManager = s.KeyManager,
        CreationDate = s.CreationDate,
        DeletionScheduledAt = s.KeyState == KeyStateKind.PendingDeletion && s.DeletionDate is { } date && s.PendingDeletionWindowInDays is { } days
            ? date.AddDays(-days)
            : null,
        DeletedAt = deletedAt,
        RotationDates = [.. s.Rotations.Select(r => r.RotationDate).Order()],
    };
}
