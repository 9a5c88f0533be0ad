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

/// <summary>
/// One key material in ListKeyRotations: a rotation, or (with ALL_KEY_MATERIAL) the key's first material, which has
/// no rotation date or type.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ListedKeyMaterial(
    [property: Id(0)] string KeyMaterialId,
    [property: Id(1)] DateTimeOffset? RotationDate,
    [property: Id(2)] string? RotationType,
    [property: Id(3)] bool Current)
{
    /// <summary>CURRENT, NON_CURRENT or PENDING_ROTATION.</summary>
    [Id(4)] public string KeyMaterialState { get; init; } = Current ? "CURRENT" : "NON_CURRENT";

    /// <summary>Origin EXTERNAL only: IMPORTED or PENDING_IMPORT.</summary>
    [Id(5)] public string? ImportState { get; init; }

    [Id(6)] public string? ExpirationModel { get; init; }
    [Id(7)] public DateTimeOffset? ValidTo { get; init; }
    [Id(8)] public string? KeyMaterialDescription { get; init; }
}

/// <summary>One page of a key's rotations.</summary>
[GenerateSerializer, Immutable]
public sealed record RotationPage(
    [property: Id(0)] IReadOnlyList<ListedKeyMaterial> Rotations,
    [property: Id(1)] string? NextMarker);

// The rotation operations of the key (the rest of IKeyGrain: KeyManagementModel.cs).
public partial interface IKeyGrain
{
    Task EnableRotationAsync(KmsCaller caller, int rotationPeriodInDays);

    Task DisableRotationAsync(KmsCaller caller);

    Task<KeyRotationStatus> GetRotationStatusAsync(KmsCaller caller);

    Task RotateOnDemandAsync(KmsCaller caller);

    /// <summary>Rotations, oldest first; with <paramref name="includeAllKeyMaterial"/> the first material leads the list.</summary>
    Task<RotationPage> ListRotationsAsync(KmsCaller caller, int limit, string? marker, bool includeAllKeyMaterial = false);
}
