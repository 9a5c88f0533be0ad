using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansKms.Gateway.Protocol;

// Request and response shapes that several areas share, field names exactly as in ../shared/reference/kms-service-2.json.
// The shapes of one area live with its handlers, in Operations/<Area>Operations.cs, with that area's JSON context.
// Fields the model has and this service does not act on yet are still declared, so their presence is checked.

public sealed record TagDto(string? TagKey, string? TagValue);

public sealed class KeyMetadataDto
{
    [JsonPropertyName("AWSAccountId")] public string? AwsAccountId { get; init; }
    public required string KeyId { get; init; }
    public required string Arn { get; init; }
    public double CreationDate { get; init; }
    public bool Enabled { get; init; }
    public string? Description { get; init; }
    public string? KeyUsage { get; init; }
    public string? KeyState { get; init; }
    public double? DeletionDate { get; init; }
    public string? Origin { get; init; }
    public string? CustomKeyStoreId { get; init; }
    public string? CloudHsmClusterId { get; init; }
    public string? KeyManager { get; init; }
    public string? CustomerMasterKeySpec { get; init; }
    public string? KeySpec { get; init; }
    public IReadOnlyList<string>? EncryptionAlgorithms { get; init; }
    public IReadOnlyList<string>? SigningAlgorithms { get; init; }
    public IReadOnlyList<string>? MacAlgorithms { get; init; }
    public IReadOnlyList<string>? KeyAgreementAlgorithms { get; init; }
    public bool MultiRegion { get; init; }
    public int? PendingDeletionWindowInDays { get; init; }
    public string? CurrentKeyMaterialId { get; init; }
    public double? ValidTo { get; init; }
    public string? ExpirationModel { get; init; }
    public MultiRegionConfigurationDto? MultiRegionConfiguration { get; init; }
    public XksKeyConfigurationDto? XksKeyConfiguration { get; init; }
}

public sealed record MultiRegionKeyDto(string Arn, string Region);

public sealed record MultiRegionConfigurationDto(string MultiRegionKeyType, MultiRegionKeyDto PrimaryKey, IReadOnlyList<MultiRegionKeyDto> ReplicaKeys);

/// <summary>The external key of a KMS key in an external key store (the model's XksKeyConfigurationType).</summary>
public sealed record XksKeyConfigurationDto(string Id);

public sealed record KeyMetadataResponse(KeyMetadataDto KeyMetadata);

public sealed class KeyIdRequest
{
    public string? KeyId { get; init; }
    public List<string?>? GrantTokens { get; init; }
}

/// <summary>A key and a page of its items: ListResourceTags, ListKeyRotations, ListKeyPolicies.</summary>
public sealed class PagedKeyRequest
{
    public string? KeyId { get; init; }
    public int? Limit { get; init; }
    public string? Marker { get; init; }
    public string? IncludeKeyMaterial { get; init; }
}

public sealed record KeyIdResponse(string KeyId);

public sealed record EmptyResponse;

/// <summary>
/// AWS's JSON error body. Where AWS's error has no text (KMSInvalidSignatureException, KMSInvalidMacException,
/// InvalidCiphertextException, ...) it sends no <c>message</c> member at all, so an empty message is left out.
/// </summary>
public sealed record ErrorResponse([property: JsonPropertyName("__type")] string Type, [property: JsonPropertyName("message")] string? Message)
{
    public static ErrorResponse Of(string type, string? message) => new(type, string.IsNullOrEmpty(message) ? null : message);
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(KeyMetadataResponse))]
[JsonSerializable(typeof(KeyIdRequest))]
[JsonSerializable(typeof(PagedKeyRequest))]
[JsonSerializable(typeof(KeyIdResponse))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(ErrorResponse))]
public sealed partial class KmsJsonContext : JsonSerializerContext;

/// <summary>The body of an operation that answers nothing.</summary>
internal static class Empty
{
    public static readonly byte[] Body = "{}"u8.ToArray();
}

internal static class WireTime
{
    /// <summary>AWS JSON timestamps: epoch seconds (with milliseconds).</summary>
    public static double Of(DateTimeOffset t) => t.ToUnixTimeMilliseconds() / 1000.0;

    public static double? Of(DateTimeOffset? t) => t is { } v ? Of(v) : null;
}

/// <summary>
/// KeyMetadata on the wire, with only the members AWS sends for the key (API reference, KeyMetadata):
/// <c>CurrentKeyMaterialId</c> only for symmetric encryption keys, <c>PendingDeletionWindowInDays</c> only in
/// PendingReplicaDeletion (a single-Region key pending deletion shows its <c>DeletionDate</c> alone), each algorithm
/// list only for its key usage.
/// </summary>
internal static class Metadata
{
    public static KeyMetadataDto ToWire(KeyMetadata m) => new()
    {
        AwsAccountId = m.AccountId,
        KeyId = m.KeyId,
        Arn = m.Arn,
        CreationDate = m.CreationDate.ToUnixTimeMilliseconds() / 1000.0,
        Enabled = m.Enabled,
        Description = m.Description,
        KeyUsage = m.KeyUsage,
        KeyState = m.KeyState.ToString(),
        DeletionDate = m.DeletionDate is { } d ? d.ToUnixTimeMilliseconds() / 1000.0 : null,
        Origin = m.Origin,
        CustomKeyStoreId = m.CustomKeyStoreId,
        CloudHsmClusterId = m.CloudHsmClusterId,
        KeyManager = m.KeyManager,
        CustomerMasterKeySpec = m.KeySpec,
        KeySpec = m.KeySpec,
        EncryptionAlgorithms = m.EncryptionAlgorithms.Count > 0 ? m.EncryptionAlgorithms : null,
        SigningAlgorithms = m.SigningAlgorithms.Count > 0 ? m.SigningAlgorithms : null,
        MacAlgorithms = m.MacAlgorithms.Count > 0 ? m.MacAlgorithms : null,
        KeyAgreementAlgorithms = m.KeyAgreementAlgorithms.Count > 0 ? m.KeyAgreementAlgorithms : null,
        MultiRegion = m.MultiRegion,
        PendingDeletionWindowInDays = m.KeyState == KeyStateKind.PendingReplicaDeletion ? m.PendingDeletionWindowInDays : null,
        CurrentKeyMaterialId = m.KeySpec == KmsValues.SymmetricDefault ? m.CurrentKeyMaterialId : null,
        ValidTo = m.ValidTo is { } v ? v.ToUnixTimeMilliseconds() / 1000.0 : null,
        ExpirationModel = m.ExpirationModel,
        MultiRegionConfiguration = m.MultiRegionConfiguration is { } c
            ? new MultiRegionConfigurationDto(c.MultiRegionKeyType, new MultiRegionKeyDto(c.PrimaryArn, c.PrimaryRegion),
                [.. c.ReplicaArns.Zip(c.ReplicaRegions, (arn, region) => new MultiRegionKeyDto(arn, region))])
            : null,
        XksKeyConfiguration = m.XksKeyId is { } xks ? new XksKeyConfigurationDto(xks) : null,
    };
}
