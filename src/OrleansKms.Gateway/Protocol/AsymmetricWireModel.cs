using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansKms.Gateway.Protocol;

// Shapes of the asymmetric, HMAC and key-agreement operations, wire names as in the AWS API model.

public sealed class SignRequest
{
    public string? KeyId { get; init; }
    public byte[]? Message { get; init; }
    public string? MessageType { get; init; }
    public byte[]? Signature { get; init; }
    public string? SigningAlgorithm { get; init; }
    public List<string?>? GrantTokens { get; init; }
    public bool? DryRun { get; init; }
}

public sealed record SignResponse(string KeyId, byte[] Signature, string SigningAlgorithm);

public sealed record VerifyResponse(string KeyId, bool SignatureValid, string SigningAlgorithm);

public sealed class MacRequest
{
    public string? KeyId { get; init; }
    public byte[]? Message { get; init; }
    public string? MacAlgorithm { get; init; }
    public byte[]? Mac { get; init; }
    public List<string?>? GrantTokens { get; init; }
    public bool? DryRun { get; init; }
}

public sealed record GenerateMacResponse(byte[] Mac, string MacAlgorithm, string KeyId);

public sealed record VerifyMacResponse(string KeyId, bool MacValid, string MacAlgorithm);

public sealed class DeriveSharedSecretRequest
{
    public string? KeyId { get; init; }
    public string? KeyAgreementAlgorithm { get; init; }
    public byte[]? PublicKey { get; init; }
    public List<string?>? GrantTokens { get; init; }
    public bool? DryRun { get; init; }
    public JsonElement? Recipient { get; init; }
}

public sealed record DeriveSharedSecretResponse(string KeyId, byte[] SharedSecret, string KeyAgreementAlgorithm, string KeyOrigin);

public sealed record GetPublicKeyResponse(
    string KeyId, byte[] PublicKey, string CustomerMasterKeySpec, string KeySpec, string KeyUsage,
    IReadOnlyList<string>? EncryptionAlgorithms, IReadOnlyList<string>? SigningAlgorithms, IReadOnlyList<string>? KeyAgreementAlgorithms);

public sealed class DataKeyPairRequest
{
    public Dictionary<string, string?>? EncryptionContext { get; init; }
    public string? KeyId { get; init; }
    public string? KeyPairSpec { get; init; }
    public List<string?>? GrantTokens { get; init; }
    public JsonElement? Recipient { get; init; }
    public bool? DryRun { get; init; }
}

public sealed record GenerateDataKeyPairResponse(
    byte[] PrivateKeyCiphertextBlob, byte[]? PrivateKeyPlaintext, byte[] PublicKey, string KeyId, string KeyPairSpec, string KeyMaterialId);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(SignRequest))]
[JsonSerializable(typeof(SignResponse))]
[JsonSerializable(typeof(VerifyResponse))]
[JsonSerializable(typeof(MacRequest))]
[JsonSerializable(typeof(GenerateMacResponse))]
[JsonSerializable(typeof(VerifyMacResponse))]
[JsonSerializable(typeof(DeriveSharedSecretRequest))]
[JsonSerializable(typeof(DeriveSharedSecretResponse))]
[JsonSerializable(typeof(GetPublicKeyResponse))]
[JsonSerializable(typeof(DataKeyPairRequest))]
[JsonSerializable(typeof(GenerateDataKeyPairResponse))]
public sealed partial class KmsAsymmetricJsonContext : JsonSerializerContext;
