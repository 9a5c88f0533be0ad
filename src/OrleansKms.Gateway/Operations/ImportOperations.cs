using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>Imported key material (keys of origin EXTERNAL): GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial.</summary>
internal static class ImportOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("GetParametersForImport", GetParametersForImport),
        ("ImportKeyMaterial", ImportKeyMaterial),
        ("DeleteImportedKeyMaterial", DeleteImportedKeyMaterial),
    ];

    public static async ValueTask<byte[]> GetParametersForImport(KmsCall call)
    {
        var r = call.Read(KmsImportJsonContext.Default.GetParametersForImportRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.WrappingAlgorithm, "WrappingAlgorithm").Enum(r.WrappingAlgorithm, "WrappingAlgorithm", ModelEnums.WrappingAlgorithm)
            .Required(r.WrappingKeySpec, "WrappingKeySpec").Enum(r.WrappingKeySpec, "WrappingKeySpec", ModelEnums.WrappingKeySpec)
            .ThrowIfInvalid();
        var arn = call.ResolveKey(r.KeyId!);
        var p = await call.Key(arn).GetParametersForImportAsync(call.Caller, r.WrappingAlgorithm!, r.WrappingKeySpec!);
        return KmsCall.Write(new GetParametersForImportResponse(arn.Value, p.ImportToken, p.PublicKey, WireTime.Of(p.ParametersValidTo)),
            KmsImportJsonContext.Default.GetParametersForImportResponse);
    }

    public static async ValueTask<byte[]> ImportKeyMaterial(KmsCall call)
    {
        var r = call.Read(KmsImportJsonContext.Default.ImportKeyMaterialRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.ImportToken, "ImportToken").Length(r.ImportToken, "ImportToken", 1, 6144)
            .Required(r.EncryptedKeyMaterial, "EncryptedKeyMaterial").Length(r.EncryptedKeyMaterial, "EncryptedKeyMaterial", 1, 6144)
            .Enum(r.ExpirationModel, "ExpirationModel", ModelEnums.ExpirationModel)
            .Enum(r.ImportType, "ImportType", ModelEnums.ImportType)
            .Length(r.KeyMaterialDescription, "KeyMaterialDescription", 0, 256)
            .Pattern(r.KeyMaterialDescription, "KeyMaterialDescription", c => char.IsAsciiLetterOrDigit(c) || char.IsWhiteSpace(c) || c is ':' or '/' or '_' or '.' or '-', "^[a-zA-Z0-9:/_\\s.-]+$")
            .Length(r.KeyMaterialId, "KeyMaterialId", 64, 64)
            .Pattern(r.KeyMaterialId, "KeyMaterialId", c => char.IsAsciiHexDigitLower(c), "^[a-f0-9]+$")
            .ThrowIfInvalid();
        var arn = call.ResolveKey(r.KeyId!);
        var materialId = await call.Key(arn).ImportKeyMaterialAsync(new ImportKeyMaterialCommand
        {
            Caller = call.Caller,
            ImportToken = r.ImportToken!,
            EncryptedKeyMaterial = r.EncryptedKeyMaterial!,
            ExpirationModel = r.ExpirationModel ?? ImportValues.MaterialExpires,
            ValidTo = r.ValidTo is { } v ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Floor(v * 1000)) : null,
            ImportType = r.ImportType,
            KeyMaterialDescription = r.KeyMaterialDescription,
            KeyMaterialId = r.KeyMaterialId,
        });
        return KmsCall.Write(new ImportKeyMaterialResponse(arn.Value, materialId), KmsImportJsonContext.Default.ImportKeyMaterialResponse);
    }

    public static async ValueTask<byte[]> DeleteImportedKeyMaterial(KmsCall call)
    {
        var r = call.Read(KmsImportJsonContext.Default.DeleteImportedKeyMaterialRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Length(r.KeyMaterialId, "KeyMaterialId", 64, 64)
            .Pattern(r.KeyMaterialId, "KeyMaterialId", c => char.IsAsciiHexDigitLower(c), "^[a-f0-9]+$")
            .ThrowIfInvalid();
        var arn = call.ResolveKey(r.KeyId!);
        var materialId = await call.Key(arn).DeleteImportedKeyMaterialAsync(call.Caller, r.KeyMaterialId);
        return KmsCall.Write(new DeleteImportedKeyMaterialResponse(arn.Value, materialId), KmsImportJsonContext.Default.DeleteImportedKeyMaterialResponse);
    }
}

// Wire shapes of the import operations.

public sealed class GetParametersForImportRequest
{
    public string? KeyId { get; init; }
    public string? WrappingAlgorithm { get; init; }
    public string? WrappingKeySpec { get; init; }
}

public sealed record GetParametersForImportResponse(string KeyId, byte[] ImportToken, byte[] PublicKey, double ParametersValidTo);

public sealed class ImportKeyMaterialRequest
{
    public string? KeyId { get; init; }
    public byte[]? ImportToken { get; init; }
    public byte[]? EncryptedKeyMaterial { get; init; }
    public double? ValidTo { get; init; }
    public string? ExpirationModel { get; init; }
    public string? ImportType { get; init; }
    public string? KeyMaterialDescription { get; init; }
    public string? KeyMaterialId { get; init; }
}

public sealed record ImportKeyMaterialResponse(string KeyId, string KeyMaterialId);

public sealed class DeleteImportedKeyMaterialRequest
{
    public string? KeyId { get; init; }
    public string? KeyMaterialId { get; init; }
}

public sealed record DeleteImportedKeyMaterialResponse(string KeyId, string? KeyMaterialId);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(GetParametersForImportRequest))]
[JsonSerializable(typeof(GetParametersForImportResponse))]
[JsonSerializable(typeof(ImportKeyMaterialRequest))]
[JsonSerializable(typeof(ImportKeyMaterialResponse))]
[JsonSerializable(typeof(DeleteImportedKeyMaterialRequest))]
[JsonSerializable(typeof(DeleteImportedKeyMaterialResponse))]
public sealed partial class KmsImportJsonContext : JsonSerializerContext;
