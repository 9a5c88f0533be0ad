using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansKms.Gateway.Protocol;

// Request and response shapes of ../shared/reference/kms-service-2.json, field names exactly as on the wire.
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
}

public sealed class CreateKeyRequest
{
    public string? Policy { get; init; }
    public string? Description { get; init; }
    public string? KeyUsage { get; init; }
    public string? CustomerMasterKeySpec { get; init; }
    public string? KeySpec { get; init; }
    public string? Origin { get; init; }
    public string? CustomKeyStoreId { get; init; }
    public bool? BypassPolicyLockoutSafetyCheck { get; init; }
    public List<TagDto?>? Tags { get; init; }
    public bool? MultiRegion { get; init; }
    public string? XksKeyId { get; init; }
}

public sealed record KeyMetadataResponse(KeyMetadataDto KeyMetadata);

public sealed class KeyIdRequest
{
    public string? KeyId { get; init; }
    public List<string?>? GrantTokens { get; init; }
}

public sealed class UpdateKeyDescriptionRequest
{
    public string? KeyId { get; init; }
    public string? Description { get; init; }
}

public sealed class ListKeysRequest
{
    public int? Limit { get; init; }
    public string? Marker { get; init; }
}

public sealed record KeyListEntryDto(string KeyId, string KeyArn);

public sealed record ListKeysResponse(IReadOnlyList<KeyListEntryDto> Keys, string? NextMarker, bool Truncated);

public sealed class EncryptRequest
{
    public string? KeyId { get; init; }
    public byte[]? Plaintext { get; init; }
    public Dictionary<string, string?>? EncryptionContext { get; init; }
    public List<string?>? GrantTokens { get; init; }
    public string? EncryptionAlgorithm { get; init; }
    public bool? DryRun { get; init; }
}

public sealed record EncryptResponse(byte[] CiphertextBlob, string KeyId, string EncryptionAlgorithm);

public sealed class DecryptRequest
{
    public byte[]? CiphertextBlob { get; init; }
    public Dictionary<string, string?>? EncryptionContext { get; init; }
    public List<string?>? GrantTokens { get; init; }
    public string? KeyId { get; init; }
    public string? EncryptionAlgorithm { get; init; }
    public JsonElement? Recipient { get; init; }
    public bool? DryRun { get; init; }
}

public sealed record DecryptResponse(string KeyId, byte[] Plaintext, string EncryptionAlgorithm, string KeyMaterialId);

public sealed class ReEncryptRequest
{
    public byte[]? CiphertextBlob { get; init; }
    public Dictionary<string, string?>? SourceEncryptionContext { get; init; }
    public string? SourceKeyId { get; init; }
    public string? DestinationKeyId { get; init; }
    public Dictionary<string, string?>? DestinationEncryptionContext { get; init; }
    public string? SourceEncryptionAlgorithm { get; init; }
    public string? DestinationEncryptionAlgorithm { get; init; }
    public List<string?>? GrantTokens { get; init; }
    public bool? DryRun { get; init; }
}

public sealed record ReEncryptResponse(
    byte[] CiphertextBlob, string SourceKeyId, string KeyId, string SourceEncryptionAlgorithm,
    string DestinationEncryptionAlgorithm, string SourceKeyMaterialId, string DestinationKeyMaterialId);

public sealed class GenerateDataKeyRequest
{
    public string? KeyId { get; init; }
    public Dictionary<string, string?>? EncryptionContext { get; init; }
    public int? NumberOfBytes { get; init; }
    public string? KeySpec { get; init; }
    public List<string?>? GrantTokens { get; init; }
    public JsonElement? Recipient { get; init; }
    public bool? DryRun { get; init; }
}

public sealed record GenerateDataKeyResponse(byte[] CiphertextBlob, byte[] Plaintext, string KeyId, string KeyMaterialId);

public sealed record GenerateDataKeyWithoutPlaintextResponse(byte[] CiphertextBlob, string KeyId, string KeyMaterialId);

public sealed class GenerateRandomRequest
{
    public int? NumberOfBytes { get; init; }
    public string? CustomKeyStoreId { get; init; }
    public JsonElement? Recipient { get; init; }
}

public sealed record GenerateRandomResponse(byte[] Plaintext);

public sealed record EmptyResponse;

public sealed record ErrorResponse([property: JsonPropertyName("__type")] string Type, [property: JsonPropertyName("message")] string Message);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(KeyMetadataResponse))]
[JsonSerializable(typeof(KeyIdRequest))]
[JsonSerializable(typeof(UpdateKeyDescriptionRequest))]
[JsonSerializable(typeof(ListKeysRequest))]
[JsonSerializable(typeof(ListKeysResponse))]
[JsonSerializable(typeof(EncryptRequest))]
[JsonSerializable(typeof(EncryptResponse))]
[JsonSerializable(typeof(DecryptRequest))]
[JsonSerializable(typeof(DecryptResponse))]
[JsonSerializable(typeof(ReEncryptRequest))]
[JsonSerializable(typeof(ReEncryptResponse))]
[JsonSerializable(typeof(GenerateDataKeyRequest))]
[JsonSerializable(typeof(GenerateDataKeyResponse))]
[JsonSerializable(typeof(GenerateDataKeyWithoutPlaintextResponse))]
[JsonSerializable(typeof(GenerateRandomRequest))]
[JsonSerializable(typeof(GenerateRandomResponse))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(ErrorResponse))]
public sealed partial class KmsJsonContext : JsonSerializerContext;
