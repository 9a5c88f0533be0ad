namespace OrleansKms;

/// <summary>
/// The last successful cryptographic operation done with a key (GetKeyLastUsage's KeyLastUsage): which operation,
/// when, and the request that did it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KeyLastUsage(
    [property: Id(0)] string Operation,
    [property: Id(1)] DateTimeOffset Timestamp,
    [property: Id(2)] string RequestId)
{
    /// <summary>The eventID of the request's audit record (CloudTrailEventId); null when no audit trail recorded it.</summary>
    [Id(3)] public string? EventId { get; init; }
}

/// <summary>GetKeyLastUsage: the key's last usage (null when none since tracking began), and the dates to read it by.</summary>
[GenerateSerializer, Immutable]
public sealed record KeyLastUsageReport(
    [property: Id(0)] string KeyArn,
    [property: Id(1)] KeyLastUsage? LastUsage,
    [property: Id(2)] DateTimeOffset TrackingStartDate,
    [property: Id(3)] DateTimeOffset KeyCreationDate);

// Key last usage (the rest of IKeyGrain: KeyManagementModel.cs).
public partial interface IKeyGrain
{
    /// <summary>
    /// Records the newest usage a gateway saw since its last flush (kept if newer than the one recorded). Gateways
    /// call it every few seconds, not per request; it touches only the key's last-usage row, so it interleaves with
    /// the key's own work.
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task RecordLastUsageAsync(KeyLastUsage usage);

    /// <summary>GetKeyLastUsage (kms:GetKeyLastUsage on the key, same account only).</summary>
    Task<KeyLastUsageReport> GetLastUsageAsync(KmsCaller caller);
}
