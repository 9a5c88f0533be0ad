using System.Text.Json.Serialization;

namespace OrleansKms.Gateway.Protocol;

// Shapes of the key-lifecycle operations (aliases, tags, rotation, deletion), wire names as in the AWS API model.

public sealed class AliasRequest
{
    public string? AliasName { get; init; }
    public string? TargetKeyId { get; init; }
}

public sealed class ListAliasesRequest
{
    public string? KeyId { get; init; }
    public int? Limit { get; init; }
    public string? Marker { get; init; }
}

public sealed record AliasListEntryDto(string AliasName, string AliasArn, string TargetKeyId, double CreationDate, double LastUpdatedDate);

public sealed record ListAliasesResponse(IReadOnlyList<AliasListEntryDto> Aliases, string? NextMarker, bool Truncated);

public sealed class TagResourceRequest
{
    public string? KeyId { get; init; }
    public List<TagDto?>? Tags { get; init; }
}

public sealed class UntagResourceRequest
{
    public string? KeyId { get; init; }
    public List<string?>? TagKeys { get; init; }
}

public sealed class PagedKeyRequest
{
    public string? KeyId { get; init; }
    public int? Limit { get; init; }
    public string? Marker { get; init; }
    public string? IncludeKeyMaterial { get; init; }
}

public sealed record ListResourceTagsResponse(IReadOnlyList<TagDto> Tags, string? NextMarker, bool Truncated);

public sealed class EnableKeyRotationRequest
{
    public string? KeyId { get; init; }
    public int? RotationPeriodInDays { get; init; }
}

public sealed record GetKeyRotationStatusResponse(
    bool KeyRotationEnabled, string KeyId, int? RotationPeriodInDays, double? NextRotationDate, double? OnDemandRotationStartDate);

public sealed record KeyIdResponse(string KeyId);

/// <summary>KeyMaterialState is CURRENT or NON_CURRENT for every key that rotates (AWS sends it for AWS_KMS keys too).</summary>
public sealed record RotationsListEntryDto(string KeyId, string KeyMaterialId, string KeyMaterialState, double? RotationDate, string? RotationType);

public sealed record ListKeyRotationsResponse(IReadOnlyList<RotationsListEntryDto> Rotations, string? NextMarker, bool Truncated);

public sealed class ScheduleKeyDeletionRequest
{
    public string? KeyId { get; init; }
    public int? PendingWindowInDays { get; init; }
}

public sealed record ScheduleKeyDeletionResponse(string KeyId, double DeletionDate, string KeyState, int PendingWindowInDays);

public sealed class KeyPolicyRequest
{
    public string? KeyId { get; init; }
    public string? PolicyName { get; init; }
    public string? Policy { get; init; }
    public bool? BypassPolicyLockoutSafetyCheck { get; init; }
}

public sealed record GetKeyPolicyResponse(string Policy, string PolicyName);

public sealed record ListKeyPoliciesResponse(IReadOnlyList<string> PolicyNames, bool Truncated);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(AliasRequest))]
[JsonSerializable(typeof(ListAliasesRequest))]
[JsonSerializable(typeof(ListAliasesResponse))]
[JsonSerializable(typeof(TagResourceRequest))]
[JsonSerializable(typeof(UntagResourceRequest))]
[JsonSerializable(typeof(PagedKeyRequest))]
[JsonSerializable(typeof(ListResourceTagsResponse))]
[JsonSerializable(typeof(EnableKeyRotationRequest))]
[JsonSerializable(typeof(GetKeyRotationStatusResponse))]
[JsonSerializable(typeof(KeyIdResponse))]
[JsonSerializable(typeof(ListKeyRotationsResponse))]
[JsonSerializable(typeof(ScheduleKeyDeletionRequest))]
[JsonSerializable(typeof(ScheduleKeyDeletionResponse))]
[JsonSerializable(typeof(KeyPolicyRequest))]
[JsonSerializable(typeof(GetKeyPolicyResponse))]
[JsonSerializable(typeof(ListKeyPoliciesResponse))]
public sealed partial class KmsLifecycleJsonContext : JsonSerializerContext;

internal static class WireTime
{
    /// <summary>AWS JSON timestamps: epoch seconds (with milliseconds).</summary>
    public static double Of(DateTimeOffset t) => t.ToUnixTimeMilliseconds() / 1000.0;

    public static double? Of(DateTimeOffset? t) => t is { } v ? Of(v) : null;
}
