namespace OrleansKms;

/// <summary>One rotation of a key's material (ListKeyRotations).</summary>
[GenerateSerializer, Immutable]
public sealed record KeyRotation(
    [property: Id(0)] string KeyMaterialId,
    [property: Id(1)] DateTimeOffset RotationDate,
    [property: Id(2)] string RotationType);

/// <summary>GetKeyRotationStatus.</summary>
[GenerateSerializer, Immutable]
public sealed record KeyRotationStatus(
    [property: Id(0)] string KeyArn,
    [property: Id(1)] bool KeyRotationEnabled,
    [property: Id(2)] int? RotationPeriodInDays,
    [property: Id(3)] DateTimeOffset? NextRotationDate,
    [property: Id(4)] DateTimeOffset? OnDemandRotationStartDate);

/// <summary>The key's answer to ScheduleKeyDeletion.</summary>
[GenerateSerializer, Immutable]
public sealed record ScheduledDeletion(
    [property: Id(0)] string KeyArn,
    [property: Id(1)] DateTimeOffset DeletionDate,
    [property: Id(2)] KeyStateKind KeyState,
    [property: Id(3)] int PendingWindowInDays);

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

/// <summary>One page of a key's tags.</summary>
[GenerateSerializer, Immutable]
public sealed record TagPage(
    [property: Id(0)] IReadOnlyList<KeyTag> Tags,
    [property: Id(1)] string? NextMarker);

/// <summary>
/// One key material in ListKeyRotations: a rotation, or (with ALL_KEY_MATERIAL) the key's first material, which has
/// no rotation date or type.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ListedKeyMaterial(
    [property: Id(0)] string KeyMaterialId,
    [property: Id(1)] DateTimeOffset? RotationDate,
    [property: Id(2)] string? RotationType,
    [property: Id(3)] bool Current);

/// <summary>One page of a key's rotations.</summary>
[GenerateSerializer, Immutable]
public sealed record RotationPage(
    [property: Id(0)] IReadOnlyList<ListedKeyMaterial> Rotations,
    [property: Id(1)] string? NextMarker);
