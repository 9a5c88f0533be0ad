using System.Security.Cryptography;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>Encrypt: at most 4096 bytes of plaintext under a symmetric key.</summary>
internal static class Encrypt
{
    public static async ValueTask<byte[]> Handle(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.EncryptRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.Plaintext, "Plaintext").Length(r.Plaintext, "Plaintext", 1, 4096)
            .Context(r.EncryptionContext, "EncryptionContext")
            .GrantTokens(r.GrantTokens)
            .Enum(r.EncryptionAlgorithm, "EncryptionAlgorithm", ModelEnums.EncryptionAlgorithm)
            .ThrowIfInvalid();
        var result = await call.Crypto.EncryptAsync(new EncryptCommand(
            call.Caller, r.KeyId!, r.Plaintext!, KmsCall.Context(r.EncryptionContext), r.DryRun == true, call.Region, r.EncryptionAlgorithm));
        return KmsCall.Write(new EncryptResponse(result.CiphertextBlob, result.KeyArn, result.EncryptionAlgorithm), KmsJsonContext.Default.EncryptResponse);
    }
}

/// <summary>Decrypt: the blob names its key; a KeyId, if given, must be that key.</summary>
internal static class Decrypt
{
    public static async ValueTask<byte[]> Handle(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.DecryptRequest);
        new RequestValidator()
            .Required(r.CiphertextBlob, "CiphertextBlob").Length(r.CiphertextBlob, "CiphertextBlob", 1, 6144)
            .Context(r.EncryptionContext, "EncryptionContext")
            .GrantTokens(r.GrantTokens)
            .Length(r.KeyId, "KeyId", 1, 2048)
            .Enum(r.EncryptionAlgorithm, "EncryptionAlgorithm", ModelEnums.EncryptionAlgorithm)
            .ThrowIfInvalid();
        Algorithms.RefuseRecipient(r.Recipient);
        var result = await call.Crypto.DecryptAsync(new DecryptCommand(
            call.Caller, r.CiphertextBlob!, KmsCall.Context(r.EncryptionContext),
            r.KeyId, call.Region, r.DryRun == true, r.EncryptionAlgorithm));
        var body = KmsCall.Write(new DecryptResponse(result.KeyArn, result.Plaintext, result.EncryptionAlgorithm, result.KeyMaterialId), KmsJsonContext.Default.DecryptResponse);
        CryptographicOperations.ZeroMemory(result.Plaintext);
        return body;
    }
}

/// <summary>ReEncrypt: decrypt and encrypt again inside the service; the plaintext never leaves it.</summary>
internal static class ReEncrypt
{
    public static async ValueTask<byte[]> Handle(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.ReEncryptRequest);
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
        var source = new DecryptCommand(call.Caller, r.CiphertextBlob!, KmsCall.Context(r.SourceEncryptionContext),
            r.SourceKeyId, call.Region, r.DryRun == true, r.SourceEncryptionAlgorithm);
        var result = await call.Crypto.ReEncryptAsync(new ReEncryptCommand(
            source, r.DestinationKeyId!, KmsCall.Context(r.DestinationEncryptionContext), r.DestinationEncryptionAlgorithm));
        return KmsCall.Write(new ReEncryptResponse(result.CiphertextBlob, result.SourceKeyArn, result.KeyArn,
            result.SourceEncryptionAlgorithm, result.DestinationEncryptionAlgorithm, result.SourceKeyMaterialId, result.DestinationKeyMaterialId),
            KmsJsonContext.Default.ReEncryptResponse);
    }
}

/// <summary>GenerateDataKey and GenerateDataKeyWithoutPlaintext: KeySpec or NumberOfBytes, exactly one.</summary>
internal static class GenerateDataKey
{
    public static ValueTask<byte[]> Handle(KmsCall call) => HandleAsync(call, includePlaintext: true);

    public static ValueTask<byte[]> HandleWithoutPlaintext(KmsCall call) => HandleAsync(call, includePlaintext: false);

    private static async ValueTask<byte[]> HandleAsync(KmsCall call, bool includePlaintext)
    {
        var r = call.Read(KmsJsonContext.Default.GenerateDataKeyRequest);
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
            call.Caller, r.KeyId!, bytes, KmsCall.Context(r.EncryptionContext), r.DryRun == true, call.Region), includePlaintext);
        if (!includePlaintext)
        {
            return KmsCall.Write(new GenerateDataKeyWithoutPlaintextResponse(result.CiphertextBlob, result.KeyArn, result.KeyMaterialId),
                KmsJsonContext.Default.GenerateDataKeyWithoutPlaintextResponse);
        }

        var body = KmsCall.Write(new GenerateDataKeyResponse(result.CiphertextBlob, result.Plaintext!, result.KeyArn, result.KeyMaterialId),
            KmsJsonContext.Default.GenerateDataKeyResponse);
        CryptographicOperations.ZeroMemory(result.Plaintext);
        return body;
    }
}

/// <summary>GenerateRandom: 1 to 1024 random bytes, no key involved.</summary>
internal static class GenerateRandom
{
    public static ValueTask<byte[]> Handle(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.GenerateRandomRequest);
        if (r.NumberOfBytes is null) throw KmsException.Validation("NumberOfBytes is required.");
        new RequestValidator()
            .Range(r.NumberOfBytes, "NumberOfBytes", 1, 1024)
            .Length(r.CustomKeyStoreId, "CustomKeyStoreId", 1, 64)
            .ThrowIfInvalid();
        Algorithms.RefuseRecipient(r.Recipient);
        if (r.CustomKeyStoreId is not null)
            throw new KmsException(KmsErrorCode.CustomKeyStoreNotFoundException, $"Custom key store {r.CustomKeyStoreId} does not exist.");
        var random = RandomNumberGenerator.GetBytes(r.NumberOfBytes.Value);
        return ValueTask.FromResult(KmsCall.Write(new GenerateRandomResponse(random), KmsJsonContext.Default.GenerateRandomResponse));
    }
}

internal static class Algorithms
{
    /// <summary>Nitro Enclaves attestation cannot be verified here: refuse rather than ignore it.</summary>
    public static void RefuseRecipient(System.Text.Json.JsonElement? recipient)
    {
        if (recipient is { ValueKind: not System.Text.Json.JsonValueKind.Null })
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, "Recipient (Nitro Enclaves attestation) is not supported by this service.");
    }
}
