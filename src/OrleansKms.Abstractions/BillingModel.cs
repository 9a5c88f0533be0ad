using System.Globalization;

namespace OrleansKms;

/// <summary>Grain keys of <see cref="IKeyTombstoneGrain"/>: one per account, Region and month of purge.</summary>
public static class KeyTombstones
{
    public static string GrainKey(string accountId, string region, DateTimeOffset purgedAt) =>
        $"{accountId}/{region}/{purgedAt.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture)}";

    public static string GrainKey(string accountId, string region, int year, int month) => $"{accountId}/{region}/{year:D4}-{month:D2}";
}

/// <summary>
/// The durable facts a key's monthly storage charge is computed from (<c>kms cost</c>): when it was created, who
/// manages it, when its deletion was scheduled and when it was purged, and when its material was rotated. A key's bill
/// is derived from these, not sampled, so a bill for a past month can be computed again with the same result.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KeyBillingFacts
{
    [Id(0)] public required string KeyArn { get; init; }

    [Id(1)] public required string KeySpec { get; init; }

    /// <summary>CUSTOMER or AWS (AWS managed keys are not charged for storage).</summary>
    [Id(2)] public required string KeyManager { get; init; }

    [Id(3)] public required DateTimeOffset CreationDate { get; init; }

    /// <summary>
    /// When the key's current deletion waiting period began (DeletionDate minus the window); null when no deletion is
    /// scheduled. AWS charges nothing from here on; a cancelled deletion leaves no trace, as if never scheduled.
    /// </summary>
    [Id(4)] public DateTimeOffset? DeletionScheduledAt { get; init; }

    /// <summary>When the key was purged (a tombstone); null while it exists.</summary>
    [Id(5)] public DateTimeOffset? DeletedAt { get; init; }

    /// <summary>Every new material: automatic, on-demand and imported-material rotations, oldest first.</summary>
    [Id(6)] public IReadOnlyList<DateTimeOffset> RotationDates { get; init; } = [];
}

/// <summary>A key's billing facts (in its own partial interface, beside the key's other areas).</summary>
public partial interface IKeyGrain
{
    /// <summary>The key's <see cref="KeyBillingFacts"/>; null when the key does not exist. For the service's bill, not an AWS operation.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<KeyBillingFacts?> GetBillingFactsAsync();
}

/// <summary>
/// The billing facts of an account's keys purged in one month and Region (grain key: <c>ACCOUNT/REGION/yyyy-MM</c>), so
/// a bill still charges a deleted key for the hours it existed. Written once per purge, idempotent by key ARN.
/// </summary>
public interface IKeyTombstoneGrain : IGrainWithStringKey
{
    Task AddAsync(KeyBillingFacts facts);

    Task<IReadOnlyList<KeyBillingFacts>> ListAsync();
}
