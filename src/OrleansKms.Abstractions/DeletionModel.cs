namespace OrleansKms;

/// <summary>The key's answer to ScheduleKeyDeletion.</summary>
[GenerateSerializer, Immutable]
public sealed record ScheduledDeletion(
    [property: Id(0)] string KeyArn,
    [property: Id(1)] DateTimeOffset? DeletionDate,
    [property: Id(2)] KeyStateKind KeyState,
    [property: Id(3)] int PendingWindowInDays);

// The deletion operations of the key (the rest of IKeyGrain: KeyManagementModel.cs).
public partial interface IKeyGrain
{
    Task<ScheduledDeletion> ScheduleDeletionAsync(KmsCaller caller, int pendingWindowInDays);

    Task CancelDeletionAsync(KmsCaller caller);
}
