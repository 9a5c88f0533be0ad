using System.Text.Json.Serialization;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations.</summary>
internal static class RotationOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("EnableKeyRotation", EnableKeyRotation),
        ("DisableKeyRotation", DisableKeyRotation),
        ("GetKeyRotationStatus", GetKeyRotationStatus),
        ("RotateKeyOnDemand", RotateKeyOnDemand),
        ("ListKeyRotations", ListKeyRotations),
    ];

    public static async ValueTask<byte[]> EnableKeyRotation(KmsCall call)
    {
        var r = call.Read(KmsRotationJsonContext.Default.EnableKeyRotationRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Range(r.RotationPeriodInDays, "RotationPeriodInDays", 90, 2560)
            .ThrowIfInvalid();
        await call.Key(call.ResolveKey(r.KeyId!)).EnableRotationAsync(call.Caller, r.RotationPeriodInDays ?? 365);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> DisableKeyRotation(KmsCall call)
    {
        await call.Key(call.ReadKeyId()).DisableRotationAsync(call.Caller);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> GetKeyRotationStatus(KmsCall call)
    {
        var s = await call.Key(call.ReadKeyId()).GetRotationStatusAsync(call.Caller);
        return KmsCall.Write(new GetKeyRotationStatusResponse(s.KeyRotationEnabled, s.KeyArn, s.RotationPeriodInDays,
            WireTime.Of(s.NextRotationDate), WireTime.Of(s.OnDemandRotationStartDate)), KmsRotationJsonContext.Default.GetKeyRotationStatusResponse);
    }

    public static async ValueTask<byte[]> RotateKeyOnDemand(KmsCall call)
    {
        var arn = call.ReadKeyId();
        await call.Key(arn).RotateOnDemandAsync(call.Caller);
        return KmsCall.Write(new KeyIdResponse(arn.Value), KmsJsonContext.Default.KeyIdResponse);
    }

    public static async ValueTask<byte[]> ListKeyRotations(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.PagedKeyRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Range(r.Limit, "Limit", 1, 1000)
            .Length(r.Marker, "Marker", 1, 1024)
            .Enum(r.IncludeKeyMaterial, "IncludeKeyMaterial", ModelEnums.IncludeKeyMaterial)
            .ThrowIfInvalid();
        var arn = call.ResolveKey(r.KeyId!);
        var page = await call.Key(arn).ListRotationsAsync(call.Caller, r.Limit ?? 100, r.Marker, r.IncludeKeyMaterial == "ALL_KEY_MATERIAL");
        var entries = page.Rotations.Select(x => new RotationsListEntryDto(arn.Value, x.KeyMaterialId, x.KeyMaterialDescription, x.ImportState,
            x.KeyMaterialState, x.ExpirationModel, WireTime.Of(x.ValidTo), WireTime.Of(x.RotationDate), x.RotationType)).ToList();
        return KmsCall.Write(new ListKeyRotationsResponse(entries, page.NextMarker, page.NextMarker is not null),
            KmsRotationJsonContext.Default.ListKeyRotationsResponse);
    }
}

// Wire shapes of the rotation operations (PagedKeyRequest and KeyIdResponse are shared: Protocol/WireModel.cs).

public sealed class EnableKeyRotationRequest
{
    public string? KeyId { get; init; }
    public int? RotationPeriodInDays { get; init; }
}

public sealed record GetKeyRotationStatusResponse(
    bool KeyRotationEnabled, string KeyId, int? RotationPeriodInDays, double? NextRotationDate, double? OnDemandRotationStartDate);

/// <summary>
/// KeyMaterialState is CURRENT, NON_CURRENT or PENDING_ROTATION for every key that rotates (AWS sends it for AWS_KMS
/// keys too); the description, import state and expiration only for symmetric keys of origin EXTERNAL.
/// </summary>
public sealed record RotationsListEntryDto(string KeyId, string KeyMaterialId, string? KeyMaterialDescription, string? ImportState,
    string KeyMaterialState, string? ExpirationModel, double? ValidTo, double? RotationDate, string? RotationType);

public sealed record ListKeyRotationsResponse(IReadOnlyList<RotationsListEntryDto> Rotations, string? NextMarker, bool Truncated);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(EnableKeyRotationRequest))]
[JsonSerializable(typeof(GetKeyRotationStatusResponse))]
[JsonSerializable(typeof(ListKeyRotationsResponse))]
public sealed partial class KmsRotationJsonContext : JsonSerializerContext;
