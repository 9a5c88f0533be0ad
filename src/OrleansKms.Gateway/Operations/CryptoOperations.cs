using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansKms.Gateway.Protocol;
using OrleansKms.Gateway.Quotas;

namespace OrleansKms.Gateway.Operations;

/// <summary>Symmetric cryptography: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateRandom.</summary>
internal static class CryptoOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("Encrypt", Encrypt),
        ("Decrypt", Decrypt),
        ("ReEncrypt", ReEncrypt),
        ("GenerateDataKey", GenerateDataKey),
        ("GenerateDataKeyWithoutPlaintext", GenerateDataKeyWithoutPlaintext),
        ("GenerateRandom", GenerateRandom),
    ];

    /// <summary>Encrypt: at most 4096 bytes of plaintext under a symmetric key.</summary>
    public static async ValueTask<byte[]> Encrypt(KmsCall call)
    {
        var r = call.Read(KmsCryptoJsonContext.Default.EncryptRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.Plaintext, "Plaintext").Length(r.Plaintext, "Plaintext", 1, 4096)
            .Context(r.EncryptionContext, "EncryptionContext")
            .GrantTokens(r.GrantTokens)
            .Enum(r.EncryptionAlgorithm, "EncryptionAlgorithm", ModelEnums.EncryptionAlgorithm)
            .ThrowIfInvalid();
        call.AdmitKeyUse("Encrypt", KeyTypes.OfEncryptionAlgorithm(r.EncryptionAlgorithm));
        var result = await call.Crypto.EncryptAsync(new EncryptCommand(
            call.CallerWith(r.GrantTokens), r.KeyId!, r.Plaintext!, KmsCall.Context(r.EncryptionContext), r.DryRun == true, call.Region, r.EncryptionAlgorithm));
        return KmsCall.Write(new EncryptResponse(result.CiphertextBlob, result.KeyArn, result.EncryptionAlgorithm), KmsCryptoJsonContext.Default.EncryptResponse);
    }

    /// <summary>Decrypt: the blob names its key; a KeyId, if given, must be that key.</summary>
    public static async ValueTask<byte[]> Decrypt(KmsCall call)
    {
        var r = call.Read(KmsCryptoJsonContext.Default.DecryptRequest);
        new RequestValidator()
            .Required(r.CiphertextBlob, "CiphertextBlob").Length(r.CiphertextBlob, "CiphertextBlob", 1, 6144)
            .Context(r.EncryptionContext, "EncryptionContext")
            .GrantTokens(r.GrantTokens)
            .Length(r.KeyId, "KeyId", 1, 2048)
            .Enum(r.EncryptionAlgorithm, "EncryptionAlgorithm", ModelEnums.EncryptionAlgorithm)
            .ThrowIfInvalid();
        Algorithms.RefuseRecipient(r.Recipient);
        call.AdmitKeyUse("Decrypt", KeyTypes.OfEncryptionAlgorithm(r.EncryptionAlgorithm));
        var result = await call.Crypto.DecryptAsync(new DecryptCommand(
            call.CallerWith(r.GrantTokens), r.CiphertextBlob!, KmsCall.Context(r.EncryptionContext),
            r.KeyId, call.Region, r.DryRun == true, r.EncryptionAlgorithm));
        var body = KmsCall.Write(new DecryptResponse(result.KeyArn, result.Plaintext, result.EncryptionAlgorithm, result.KeyMaterialId), KmsCryptoJsonContext.Default.DecryptResponse);
        CryptographicOperations.ZeroMemory(result.Plaintext);
        return body;
    }

    /// <summary>ReEncrypt: decrypt and encrypt again inside the service; the plaintext never leaves it.</summary>
    public static async ValueTask<byte[]> ReEncrypt(KmsCall call)
    {
        var r = call.Read(KmsCryptoJsonContext.Default.ReEncryptRequest);
        new RequestValidator()
            .Required(r.CiphertextBlob, "CiphertextBlob").Length(r.CiphertextBlob, "CiphertextBlob", 1, 6144)
            .Context(r.SourceEncryptionContext, "SourceEncryptionContext")
            .Length(r.SourceKeyId, "SourceKeyId", 1, 2048)
            .Required(r.DestinationKeyId, "DestinationKeyId").Length(r.DestinationKeyId, "DestinationKeyId", 1, 2048)
            .Context(r.DestinationEncryptionContext, "DestinationEncryptionContext")
            .Enum(r.SourceEncryptionAlgorithm, "SourceEncryptionAlgorithm", ModelEnums.EncryptionAlgorithm)
            .Enum(r.DestinationEncryptionAlgorithm, "DestinationEncryptionAlgorithm", ModelEnums.EncryptionAlgorithm)
            .GrantTokens(r.GrantTokens)
            .ThrowIfInvalid();
        // Two keys: counted once against each type of key used.
        var sourceType = KeyTypes.OfEncryptionAlgorithm(r.SourceEncryptionAlgorithm);
        var destinationType = KeyTypes.OfEncryptionAlgorithm(r.DestinationEncryptionAlgorithm);
        call.AdmitKeyUse("ReEncrypt", sourceType);
        if (destinationType != sourceType) call.AdmitKeyUse("ReEncrypt", destinationType);
        var source = new DecryptCommand(call.CallerWith(r.GrantTokens), r.CiphertextBlob!, KmsCall.Context(r.SourceEncryptionContext),
            r.SourceKeyId, call.Region, r.DryRun == true, r.SourceEncryptionAlgorithm);
        var result = await call.Crypto.ReEncryptAsync(new ReEncryptCommand(
            source, r.DestinationKeyId!, KmsCall.Context(r.DestinationEncryptionContext), r.DestinationEncryptionAlgorithm));
        return KmsCall.Write(new ReEncryptResponse(result.CiphertextBlob, result.SourceKeyArn, result.KeyArn,
            result.SourceEncryptionAlgorithm, result.DestinationEncryptionAlgorithm, result.SourceKeyMaterialId, result.DestinationKeyMaterialId),
            KmsCryptoJsonContext.Default.ReEncryptResponse);
    }

    /// <summary>GenerateDataKey: KeySpec or NumberOfBytes, exactly one.</summary>
    public static ValueTask<byte[]> GenerateDataKey(KmsCall call) => DataKeyAsync(call, includePlaintext: true);

    public static ValueTask<byte[]> GenerateDataKeyWithoutPlaintext(KmsCall call) => DataKeyAsync(call, includePlaintext: false);

    /// <summary>GenerateRandom: 1 to 1024 random bytes, no key involved; with a CustomKeyStoreId, from that store's HSM.</summary>
    public static async ValueTask<byte[]> GenerateRandom(KmsCall call)
    {
        var r = call.Read(KmsCryptoJsonContext.Default.GenerateRandomRequest);
        if (r.NumberOfBytes is null) throw KmsException.Validation("NumberOfBytes is required.");
        new RequestValidator()
            .Range(r.NumberOfBytes, "NumberOfBytes", 1, 1024)
            .Length(r.CustomKeyStoreId, "CustomKeyStoreId", 1, 64)
            .ThrowIfInvalid();
        Algorithms.RefuseRecipient(r.Recipient);
        call.AuthorizeIdentity("kms:GenerateRandom");
        var random = r.CustomKeyStoreId is { } storeId
            ? await CustomKeyStoreOperations.Store(call, storeId).GenerateRandomAsync(call.Caller, r.NumberOfBytes.Value)
            : RandomNumberGenerator.GetBytes(r.NumberOfBytes.Value);
        return KmsCall.Write(new GenerateRandomResponse(random), KmsCryptoJsonContext.Default.GenerateRandomResponse);
    }

    private static async ValueTask<byte[]> DataKeyAsync(KmsCall call, bool includePlaintext)
    {
        var r = call.Read(KmsCryptoJsonContext.Default.GenerateDataKeyRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Context(r.EncryptionContext, "EncryptionContext")
            .Range(r.NumberOfBytes, "NumberOfBytes", 1, 1024)
            .Enum(r.KeySpec, "KeySpec", ModelEnums.DataKeySpec)
            .GrantTokens(r.GrantTokens)
            .ThrowIfInvalid();
        if ((r.NumberOfBytes is null) == (r.KeySpec is null))
            throw KmsException.Validation("Please specify either number of bytes or key spec.");
        if (includePlaintext) Algorithms.RefuseRecipient(r.Recipient);
        var bytes = r.NumberOfBytes ?? (r.KeySpec == "AES_128" ? 16 : 32);
        var result = await call.Crypto.GenerateDataKeyAsync(new GenerateDataKeyCommand(
            call.CallerWith(r.GrantTokens), r.KeyId!, bytes, KmsCall.Context(r.EncryptionContext), r.DryRun == true, call.Region), includePlaintext);
        if (!includePlaintext)
        {
            return KmsCall.Write(new GenerateDataKeyWithoutPlaintextResponse(result.CiphertextBlob, result.KeyArn, result.KeyMaterialId),
                KmsCryptoJsonContext.Default.GenerateDataKeyWithoutPlaintextResponse);
        }

        var body = KmsCall.Write(new GenerateDataKeyResponse(result.CiphertextBlob, result.Plaintext!, result.KeyArn, result.KeyMaterialId),
            KmsCryptoJsonContext.Default.GenerateDataKeyResponse);
        CryptographicOperations.ZeroMemory(result.Plaintext);
        return body;
    }
}

internal static class Algorithms
{
    /// <summary>Nitro Enclaves attestation cannot be verified here: refuse rather than ignore it.</summary>
    public static void RefuseRecipient(JsonElement? recipient)
    {
        if (recipient is { ValueKind: not JsonValueKind.Null })
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, "Recipient (Nitro Enclaves attestation) is not supported by this service.");
    }
}

// Wire shapes of the symmetric cryptographic operations.

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

/// <summary>KeyMaterialId is present only when a symmetric encryption key decrypted (API reference).</summary>
public sealed record DecryptResponse(string KeyId, byte[] Plaintext, string EncryptionAlgorithm, string? KeyMaterialId);

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

/// <summary>Each key material id is present only where that side's key is a symmetric encryption key (API reference).</summary>
public sealed record ReEncryptResponse(
    byte[] CiphertextBlob, string SourceKeyId, string KeyId, string SourceEncryptionAlgorithm,
    string DestinationEncryptionAlgorithm, string? SourceKeyMaterialId, string? DestinationKeyMaterialId);

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

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
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
public sealed partial class KmsCryptoJsonContext : JsonSerializerContext;
