using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>ReplicateKey and UpdatePrimaryRegion: multi-Region keys (CreateKey with MultiRegion makes the primary).</summary>
internal static partial class MultiRegionOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("ReplicateKey", ReplicateKey),
        ("UpdatePrimaryRegion", UpdatePrimaryRegion),
    ];

    private const string RegionPattern = @"^([a-z]+-){2,3}\d+$";

    public static async ValueTask<byte[]> ReplicateKey(KmsCall call)
    {
        var r = call.Read(KmsMultiRegionJsonContext.Default.ReplicateKeyRequest);
        var v = new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.ReplicaRegion, "ReplicaRegion").Length(r.ReplicaRegion, "ReplicaRegion", 1, 32)
            .Length(r.Policy, "Policy", 1, 131072).PolicyText(r.Policy)
            .Length(r.Description, "Description", 0, 8192);
        RegionFormat(v, r.ReplicaRegion, "ReplicaRegion");
        var tags = Tags.Validate(r.Tags, v);
        v.ThrowIfInvalid();
        Tags.CheckRules(tags);
        var replicated = await call.Key(call.ResolveKey(r.KeyId!)).ReplicateAsync(new ReplicateKeyCommand
        {
            Caller = call.Caller,
            ReplicaRegion = r.ReplicaRegion!,
            Policy = r.Policy,
            BypassPolicyLockoutSafetyCheck = r.BypassPolicyLockoutSafetyCheck == true,
            Description = r.Description ?? "",
            Tags = tags,
        });
        return KmsCall.Write(new ReplicateKeyResponse(
                Metadata.ToWire(replicated.ReplicaKeyMetadata),
                replicated.ReplicaPolicy,
                [.. replicated.ReplicaTags.Select(t => new TagDto(t.TagKey, t.TagValue))]),
            KmsMultiRegionJsonContext.Default.ReplicateKeyResponse);
    }

    public static async ValueTask<byte[]> UpdatePrimaryRegion(KmsCall call)
    {
        var r = call.Read(KmsMultiRegionJsonContext.Default.UpdatePrimaryRegionRequest);
        var v = new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.PrimaryRegion, "PrimaryRegion").Length(r.PrimaryRegion, "PrimaryRegion", 1, 32);
        RegionFormat(v, r.PrimaryRegion, "PrimaryRegion");
        v.ThrowIfInvalid();
        await call.Key(call.ResolveKey(r.KeyId!)).UpdatePrimaryRegionAsync(call.Caller, r.PrimaryRegion!);
        return KmsCall.Write(new EmptyResponse(), KmsJsonContext.Default.EmptyResponse);
    }

    private static void RegionFormat(RequestValidator v, string? region, string member)
    {
        if (region is { Length: > 0 and <= 32 } && !RegionRegex().IsMatch(region))
            v.Pattern(region, member, _ => false, RegionPattern);
    }

    [GeneratedRegex(RegionPattern)]
    private static partial Regex RegionRegex();
}

// Wire shapes of the multi-Region operations (KeyMetadataDto and TagDto are shared: Protocol/WireModel.cs).

public sealed class ReplicateKeyRequest
{
    public string? KeyId { get; init; }
    public string? ReplicaRegion { get; init; }
    public string? Policy { get; init; }
    public bool? BypassPolicyLockoutSafetyCheck { get; init; }
    public string? Description { get; init; }
    public List<TagDto?>? Tags { get; init; }
}

public sealed record ReplicateKeyResponse(KeyMetadataDto ReplicaKeyMetadata, string ReplicaPolicy, IReadOnlyList<TagDto> ReplicaTags);

public sealed class UpdatePrimaryRegionRequest
{
    public string? KeyId { get; init; }
    public string? PrimaryRegion { get; init; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ReplicateKeyRequest))]
[JsonSerializable(typeof(ReplicateKeyResponse))]
[JsonSerializable(typeof(UpdatePrimaryRegionRequest))]
public sealed partial class KmsMultiRegionJsonContext : JsonSerializerContext;
