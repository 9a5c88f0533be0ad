using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansKms.Crypto.Keys;
using OrleansKms.Gateway.Protocol;
using OrleansKms.Gateway.Quotas;

namespace OrleansKms.Gateway.Operations;

/// <summary>
/// Asymmetric, HMAC and key-agreement operations: Sign, Verify, GenerateMac, VerifyMac, DeriveSharedSecret,
/// GetPublicKey, GenerateDataKeyPair(WithoutPlaintext).
/// </summary>
internal static class AsymmetricOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("Sign", Sign),
        ("Verify", Verify),
        ("GenerateMac", GenerateMac),
        ("VerifyMac", VerifyMac),
        ("DeriveSharedSecret", DeriveSharedSecret),
        ("GetPublicKey", GetPublicKey),
        ("GenerateDataKeyPair", GenerateDataKeyPair),
        ("GenerateDataKeyPairWithoutPlaintext", GenerateDataKeyPairWithoutPlaintext),
    ];

    public static async ValueTask<byte[]> Sign(KmsCall call)
    {
        var command = ReadSignature(call, verify: false);
        var result = await call.Crypto.SignAsync(command);
        return KmsCall.Write(new SignResponse(result.KeyArn, result.Signature, command.SigningAlgorithm), KmsAsymmetricJsonContext.Default.SignResponse);
    }

    public static async ValueTask<byte[]> Verify(KmsCall call)
    {
        var command = ReadSignature(call, verify: true);
        var result = await call.Crypto.VerifyAsync(command);
        return KmsCall.Write(new VerifyResponse(result.KeyArn, true, command.SigningAlgorithm), KmsAsymmetricJsonContext.Default.VerifyResponse);
    }

    public static async ValueTask<byte[]> GenerateMac(KmsCall call)
    {
        var command = ReadMac(call, verify: false);
        var result = await call.Crypto.GenerateMacAsync(command);
        return KmsCall.Write(new GenerateMacResponse(result.Mac, command.MacAlgorithm, result.KeyArn), KmsAsymmetricJsonContext.Default.GenerateMacResponse);
    }

    public static async ValueTask<byte[]> VerifyMac(KmsCall call)
    {
        var command = ReadMac(call, verify: true);
        var result = await call.Crypto.VerifyMacAsync(command);
        return KmsCall.Write(new VerifyMacResponse(result.KeyArn, true, command.MacAlgorithm), KmsAsymmetricJsonContext.Default.VerifyMacResponse);
    }

    public static async ValueTask<byte[]> DeriveSharedSecret(KmsCall call)
    {
        var r = call.Read(KmsAsymmetricJsonContext.Default.DeriveSharedSecretRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.KeyAgreementAlgorithm, "KeyAgreementAlgorithm").Enum(r.KeyAgreementAlgorithm, "KeyAgreementAlgorithm", ModelEnums.KeyAgreementAlgorithm)
            .Required(r.PublicKey, "PublicKey").Length(r.PublicKey, "PublicKey", 1, 8192)
            .GrantTokens(r.GrantTokens)
            .ThrowIfInvalid();
        Algorithms.RefuseRecipient(r.Recipient);
        var result = await call.Crypto.DeriveSharedSecretAsync(new SharedSecretCommand(call.CallerWith(r.GrantTokens), r.KeyId!, call.Region, r.PublicKey!, r.DryRun == true));
        var body = KmsCall.Write(new DeriveSharedSecretResponse(result.KeyArn, result.SharedSecret, KmsNames.Ecdh, result.KeyOrigin),
            KmsAsymmetricJsonContext.Default.DeriveSharedSecretResponse);
        CryptographicOperations.ZeroMemory(result.SharedSecret);
        return body;
    }

    public static async ValueTask<byte[]> GetPublicKey(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.KeyIdRequest);
        new RequestValidator().Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048).GrantTokens(r.GrantTokens).ThrowIfInvalid();
        var k = await call.Crypto.GetPublicKeyAsync(call.CallerWith(r.GrantTokens), r.KeyId!, call.Region);
        return KmsCall.Write(new GetPublicKeyResponse(k.KeyArn, k.PublicKey, k.KeySpec, k.KeySpec, k.KeyUsage,
            NullIfEmpty(k.EncryptionAlgorithms), NullIfEmpty(k.SigningAlgorithms), NullIfEmpty(k.KeyAgreementAlgorithms)),
            KmsAsymmetricJsonContext.Default.GetPublicKeyResponse);
    }

    public static ValueTask<byte[]> GenerateDataKeyPair(KmsCall call) => DataKeyPairAsync(call, includePlaintext: true);

    public static ValueTask<byte[]> GenerateDataKeyPairWithoutPlaintext(KmsCall call) => DataKeyPairAsync(call, includePlaintext: false);

    private static SignatureCommand ReadSignature(KmsCall call, bool verify)
    {
        var r = call.Read(KmsAsymmetricJsonContext.Default.SignRequest);
        var v = new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.Message, "Message").Length(r.Message, "Message", 1, 4096)
            .Enum(r.MessageType, "MessageType", ModelEnums.MessageType)
            .Required(r.SigningAlgorithm, "SigningAlgorithm").Enum(r.SigningAlgorithm, "SigningAlgorithm", ModelEnums.SigningAlgorithm)
            .GrantTokens(r.GrantTokens);
        if (verify) v.Required(r.Signature, "Signature").Length(r.Signature, "Signature", 1, 6144);
        v.ThrowIfInvalid();
        call.AdmitKeyUse(verify ? "Verify" : "Sign", KeyTypes.OfSigningAlgorithm(r.SigningAlgorithm!));
        return new SignatureCommand(call.CallerWith(r.GrantTokens), r.KeyId!, call.Region, r.Message!, r.MessageType ?? "RAW", r.SigningAlgorithm!, r.Signature, r.DryRun == true);
    }

    private static MacCommand ReadMac(KmsCall call, bool verify)
    {
        var r = call.Read(KmsAsymmetricJsonContext.Default.MacRequest);
        var v = new RequestValidator()
            .Required(r.Message, "Message").Length(r.Message, "Message", 1, 4096)
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.MacAlgorithm, "MacAlgorithm").Enum(r.MacAlgorithm, "MacAlgorithm", ModelEnums.MacAlgorithm)
            .GrantTokens(r.GrantTokens);
        if (verify) v.Required(r.Mac, "Mac").Length(r.Mac, "Mac", 1, 6144);
        v.ThrowIfInvalid();
        return new MacCommand(call.CallerWith(r.GrantTokens), r.KeyId!, call.Region, r.Message!, r.MacAlgorithm!, r.Mac, r.DryRun == true);
    }

    private static async ValueTask<byte[]> DataKeyPairAsync(KmsCall call, bool includePlaintext)
    {
        var r = call.Read(KmsAsymmetricJsonContext.Default.DataKeyPairRequest);
        new RequestValidator()
            .Context(r.EncryptionContext, "EncryptionContext")
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.KeyPairSpec, "KeyPairSpec").Enum(r.KeyPairSpec, "KeyPairSpec", ModelEnums.DataKeyPairSpec)
            .GrantTokens(r.GrantTokens)
            .ThrowIfInvalid();
        if (includePlaintext) Algorithms.RefuseRecipient(r.Recipient);
        KeySpecRules.EnsureRegionOffers(r.KeyPairSpec!, call.Region);
        call.AdmitKeyUse(includePlaintext ? "GenerateDataKeyPair" : "GenerateDataKeyPairWithoutPlaintext", r.KeyPairSpec!);
        var result = await call.Crypto.GenerateDataKeyPairAsync(new DataKeyPairCommand(
            call.CallerWith(r.GrantTokens), r.KeyId!, call.Region, r.KeyPairSpec!, KmsCall.Context(r.EncryptionContext), r.DryRun == true), includePlaintext);
        var body = KmsCall.Write(new GenerateDataKeyPairResponse(result.PrivateKeyCiphertextBlob, result.PrivateKeyPlaintext, result.PublicKey,
            result.KeyArn, r.KeyPairSpec!, result.KeyMaterialId), KmsAsymmetricJsonContext.Default.GenerateDataKeyPairResponse);
        if (result.PrivateKeyPlaintext is not null) CryptographicOperations.ZeroMemory(result.PrivateKeyPlaintext);
        return body;
    }

    private static IReadOnlyList<string>? NullIfEmpty(IReadOnlyList<string> list) => list.Count == 0 ? null : list;
}

/// <summary>Which key specs and usages CreateKey accepts, as AWS decides.</summary>
internal static class KeySpecRules
{
    public static void EnsureCreatable(string keySpec, string keyUsage, string region)
    {
        if (KeySpecCatalog.CreationProblem(keySpec, keyUsage, region) is { } problem) throw KmsException.Validation(problem);
    }

    /// <summary>Specs AWS offers only in its China Regions (cn-*, SM2) are refused elsewhere, as AWS refuses them.</summary>
    public static void EnsureRegionOffers(string spec, string region)
    {
        if (KeySpecCatalog.RegionProblem(spec, region) is { } problem) throw KmsException.Validation(problem);
    }
}

// Wire shapes of the asymmetric, HMAC and key-agreement operations (GetPublicKey reads the shared KeyIdRequest).

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
