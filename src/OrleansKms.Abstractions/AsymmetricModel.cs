namespace OrleansKms;

/// <summary>Sign or Verify (<see cref="Signature"/> set for Verify).</summary>
[GenerateSerializer, Immutable]
public sealed record SignatureCommand(
    [property: Id(0)] KmsCaller Caller,
    [property: Id(1)] string KeyId,
    [property: Id(2)] string Region,
    [property: Id(3)] byte[] Message,
    [property: Id(4)] string MessageType,
    [property: Id(5)] string SigningAlgorithm,
    [property: Id(6)] byte[]? Signature,
    [property: Id(7)] bool DryRun);

/// <summary>A signature (Sign) or a verified one (Verify: Signature is empty), and the key.</summary>
[GenerateSerializer, Immutable]
public sealed record SignatureResult(
    [property: Id(0)] byte[] Signature,
    [property: Id(1)] string KeyArn);

/// <summary>GenerateMac or VerifyMac (<see cref="Mac"/> set for VerifyMac).</summary>
[GenerateSerializer, Immutable]
public sealed record MacCommand(
    [property: Id(0)] KmsCaller Caller,
    [property: Id(1)] string KeyId,
    [property: Id(2)] string Region,
    [property: Id(3)] byte[] Message,
    [property: Id(4)] string MacAlgorithm,
    [property: Id(5)] byte[]? Mac,
    [property: Id(6)] bool DryRun);

/// <summary>A MAC (GenerateMac) or a verified one (VerifyMac: Mac is empty), and the key.</summary>
[GenerateSerializer, Immutable]
public sealed record MacResult(
    [property: Id(0)] byte[] Mac,
    [property: Id(1)] string KeyArn);

/// <summary>DeriveSharedSecret: ECDH of the key's private key with the caller's public key (DER SubjectPublicKeyInfo).</summary>
[GenerateSerializer, Immutable]
public sealed record SharedSecretCommand(
    [property: Id(0)] KmsCaller Caller,
    [property: Id(1)] string KeyId,
    [property: Id(2)] string Region,
    [property: Id(3)] byte[] PublicKey,
    [property: Id(4)] bool DryRun);

/// <summary>The shared secret and the key.</summary>
[GenerateSerializer, Immutable]
public sealed record SharedSecretResult(
    [property: Id(0)] byte[] SharedSecret,
    [property: Id(1)] string KeyArn,
    [property: Id(2)] string KeyOrigin);

/// <summary>GetPublicKey.</summary>
[GenerateSerializer, Immutable]
public sealed record PublicKeyResult
{
    [Id(0)] public required string KeyArn { get; init; }
    [Id(1)] public required byte[] PublicKey { get; init; }
    [Id(2)] public required string KeySpec { get; init; }
    [Id(3)] public required string KeyUsage { get; init; }
    [Id(4)] public IReadOnlyList<string> EncryptionAlgorithms { get; init; } = [];
    [Id(5)] public IReadOnlyList<string> SigningAlgorithms { get; init; } = [];
    [Id(6)] public IReadOnlyList<string> KeyAgreementAlgorithms { get; init; } = [];
}

/// <summary>GenerateDataKeyPair(WithoutPlaintext): a new key pair whose private key is encrypted under a symmetric key.</summary>
[GenerateSerializer, Immutable]
public sealed record DataKeyPairCommand(
    [property: Id(0)] KmsCaller Caller,
    [property: Id(1)] string KeyId,
    [property: Id(2)] string Region,
    [property: Id(3)] string KeyPairSpec,
    [property: Id(4)] IReadOnlyDictionary<string, string>? EncryptionContext,
    [property: Id(5)] bool DryRun);

/// <summary>A data key pair: the private key (PKCS#8; null without plaintext), its ciphertext, the public key.</summary>
[GenerateSerializer, Immutable]
public sealed record DataKeyPairResult(
    [property: Id(0)] byte[]? PrivateKeyPlaintext,
    [property: Id(1)] byte[] PrivateKeyCiphertextBlob,
    [property: Id(2)] byte[] PublicKey,
    [property: Id(3)] string KeyArn,
    [property: Id(4)] string KeyMaterialId);

// The asymmetric, HMAC and key-agreement operations of the crypto worker (the rest of ICryptoWorker: Grains.cs).
public partial interface ICryptoWorker
{
    ValueTask<SignatureResult> SignAsync(SignatureCommand command);

    /// <summary>KMSInvalidSignatureException when the signature does not verify.</summary>
    ValueTask<SignatureResult> VerifyAsync(SignatureCommand command);

    ValueTask<MacResult> GenerateMacAsync(MacCommand command);

    /// <summary>KMSInvalidMacException when the MAC does not verify.</summary>
    ValueTask<MacResult> VerifyMacAsync(MacCommand command);

    ValueTask<SharedSecretResult> DeriveSharedSecretAsync(SharedSecretCommand command);

    ValueTask<PublicKeyResult> GetPublicKeyAsync(KmsCaller caller, string keyId, string region);

    ValueTask<DataKeyPairResult> GenerateDataKeyPairAsync(DataKeyPairCommand command, bool includePlaintext);
}
