namespace OrleansKms;

/// <summary>Encrypt, as the crypto worker receives it.</summary>
[GenerateSerializer, Immutable]
public sealed record EncryptCommand(
    [property: Id(0)] KmsCaller Caller,
    [property: Id(1)] string KeyId,
    [property: Id(2)] byte[] Plaintext,
    [property: Id(3)] IReadOnlyDictionary<string, string>? EncryptionContext,
    [property: Id(4)] bool DryRun,
    [property: Id(5)] string Region,
    [property: Id(6)] string? EncryptionAlgorithm = null);

/// <summary>Decrypt, as the crypto worker receives it. <see cref="KeyId"/> is the KeyId the caller named, if any.</summary>
[GenerateSerializer, Immutable]
public sealed record DecryptCommand(
    [property: Id(0)] KmsCaller Caller,
    [property: Id(1)] byte[] CiphertextBlob,
    [property: Id(2)] IReadOnlyDictionary<string, string>? EncryptionContext,
    [property: Id(3)] string? KeyId,
    [property: Id(4)] string Region,
    [property: Id(5)] bool DryRun,
    [property: Id(6)] string? EncryptionAlgorithm = null);

/// <summary>ReEncrypt: decrypt under the source key, encrypt under the destination key, inside the service.</summary>
[GenerateSerializer, Immutable]
public sealed record ReEncryptCommand(
    [property: Id(0)] DecryptCommand Source,
    [property: Id(1)] string DestinationKeyId,
    [property: Id(2)] IReadOnlyDictionary<string, string>? DestinationEncryptionContext,
    [property: Id(3)] string? DestinationEncryptionAlgorithm = null);

/// <summary>GenerateDataKey(WithoutPlaintext).</summary>
[GenerateSerializer, Immutable]
public sealed record GenerateDataKeyCommand(
    [property: Id(0)] KmsCaller Caller,
    [property: Id(1)] string KeyId,
    [property: Id(2)] int NumberOfBytes,
    [property: Id(3)] IReadOnlyDictionary<string, string>? EncryptionContext,
    [property: Id(4)] bool DryRun,
    [property: Id(5)] string Region);

/// <summary>A ciphertext and the key that made it (the key material id: symmetric keys only, as in AWS).</summary>
[GenerateSerializer, Immutable]
public sealed record EncryptResult(
    [property: Id(0)] byte[] CiphertextBlob,
    [property: Id(1)] string KeyArn,
    [property: Id(2)] string? KeyMaterialId,
    [property: Id(3)] string EncryptionAlgorithm = KmsValues.SymmetricDefault);

/// <summary>A plaintext and the key that decrypted it (the key material id: symmetric keys only, as in AWS).</summary>
[GenerateSerializer, Immutable]
public sealed record DecryptResult(
    [property: Id(0)] byte[] Plaintext,
    [property: Id(1)] string KeyArn,
    [property: Id(2)] string? KeyMaterialId,
    [property: Id(3)] string EncryptionAlgorithm = KmsValues.SymmetricDefault);

/// <summary>The answer to ReEncrypt (each key material id only where that side's key is symmetric, as in AWS).</summary>
[GenerateSerializer, Immutable]
public sealed record ReEncryptResult(
    [property: Id(0)] byte[] CiphertextBlob,
    [property: Id(1)] string SourceKeyArn,
    [property: Id(2)] string KeyArn,
    [property: Id(3)] string? SourceKeyMaterialId,
    [property: Id(4)] string? DestinationKeyMaterialId,
    [property: Id(5)] string SourceEncryptionAlgorithm = KmsValues.SymmetricDefault,
    [property: Id(6)] string DestinationEncryptionAlgorithm = KmsValues.SymmetricDefault);

/// <summary>A data key: its plaintext (null for WithoutPlaintext) and its ciphertext.</summary>
[GenerateSerializer, Immutable]
public sealed record DataKeyResult(
    [property: Id(0)] byte[]? Plaintext,
    [property: Id(1)] byte[] CiphertextBlob,
    [property: Id(2)] string KeyArn,
    [property: Id(3)] string KeyMaterialId);

// The symmetric cryptographic operations of the crypto worker (the rest of ICryptoWorker: Grains.cs).
public partial interface ICryptoWorker
{
    ValueTask<EncryptResult> EncryptAsync(EncryptCommand command);

    ValueTask<DecryptResult> DecryptAsync(DecryptCommand command);

    ValueTask<ReEncryptResult> ReEncryptAsync(ReEncryptCommand command);

    ValueTask<DataKeyResult> GenerateDataKeyAsync(GenerateDataKeyCommand command, bool includePlaintext);
}
