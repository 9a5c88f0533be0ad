using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>
/// Imported key material: GetParametersForImport. Keys of origin EXTERNAL are not created yet, so every key it can
/// name answers as AWS answers a key of origin AWS_KMS (after the same validation, authorization and state checks);
/// ImportKeyMaterial and DeleteImportedKeyMaterial are not implemented.
/// </summary>
internal static class ImportOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("GetParametersForImport", GetParametersForImport),
    ];

    public static async ValueTask<byte[]> GetParametersForImport(KmsCall call)
    {
        var r = call.Read(KmsImportJsonContext.Default.GetParametersForImportRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.WrappingAlgorithm, "WrappingAlgorithm").Enum(r.WrappingAlgorithm, "WrappingAlgorithm", ModelEnums.WrappingAlgorithm)
            .Required(r.WrappingKeySpec, "WrappingKeySpec").Enum(r.WrappingKeySpec, "WrappingKeySpec", ModelEnums.WrappingKeySpec)
            .ThrowIfInvalid();
        await call.Key(call.ResolveKey(r.KeyId!)).EnsureImportableAsync(call.Caller, r.WrappingAlgorithm!, r.WrappingKeySpec!);
        throw new KmsException(KmsErrorCode.UnsupportedOperationException, "GetParametersForImport is not supported by OrleansKms yet.");
    }
}

// Wire shapes of the import operations.

public sealed class GetParametersForImportRequest
{
    public string? KeyId { get; init; }
    public string? WrappingAlgorithm { get; init; }
    public string? WrappingKeySpec { get; init; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(GetParametersForImportRequest))]
public sealed partial class KmsImportJsonContext : JsonSerializerContext;
