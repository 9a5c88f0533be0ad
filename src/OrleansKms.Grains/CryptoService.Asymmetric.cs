using System.Security.Cryptography;
using OrleansKms.Crypto.Keys;
using OrleansKms.Policy;

namespace OrleansKms.Grains;

/// <summary>Sign/Verify, GenerateMac/VerifyMac, DeriveSharedSecret, GetPublicKey, GenerateDataKeyPair.</summary>
public sealed partial class CryptoService
{
    public async ValueTask<SignatureResult> SignAsync(SignatureCommand command)
    {
        var (key, asymmetric) = await SigningKeyAsync(command, "Sign");
        if (command.DryRun) throw KmsException.DryRun();
        var signature = Primitive(() => asymmetric.Sign(command.Message, command.MessageType, command.SigningAlgorithm));
        return new SignatureResult(signature, key.Arn.Value);
    }

    public async ValueTask<SignatureResult> VerifyAsync(SignatureCommand command)
    {
        var (key, asymmetric) = await SigningKeyAsync(command, "Verify");
        if (command.DryRun) throw KmsException.DryRun();
        if (!Primitive(() => asymmetric.Verify(command.Message, command.MessageType, command.Signature ?? [], command.SigningAlgorithm)))
            throw KmsException.WithoutMessage(KmsErrorCode.KMSInvalidSignatureException);
        return new SignatureResult([], key.Arn.Value);
    }

    public async ValueTask<MacResult> GenerateMacAsync(MacCommand command)
    {
        var (key, secret) = await MacKeyAsync(command, "GenerateMac");
        if (command.DryRun) throw KmsException.DryRun();
        return new MacResult(Primitive(() => HmacKeys.Mac(secret, key.KeySpec, command.MacAlgorithm, command.Message)), key.Arn.Value);
    }

    public async ValueTask<MacResult> VerifyMacAsync(MacCommand command)
    {
        var (key, secret) = await MacKeyAsync(command, "VerifyMac");
        if (command.DryRun) throw KmsException.DryRun();
        if (!Primitive(() => HmacKeys.Verify(secret, key.KeySpec, command.MacAlgorithm, command.Message, command.Mac ?? [])))
            throw KmsException.WithoutMessage(KmsErrorCode.KMSInvalidMacException);
        return new MacResult([], key.Arn.Value);
    }

    public async ValueTask<SharedSecretResult> DeriveSharedSecretAsync(SharedSecretCommand command)
    {
        var key = await GetAsync(command.Caller, command.KeyId, command.Region);
        Authorize(key, command.Caller, "DeriveSharedSecret", new AccessRequest().Alias(command.KeyId).With("kms:KeyAgreementAlgorithm", "ECDH"));
        Usable(key, KmsNames.KeyAgreement, "DeriveSharedSecret");
        var asymmetric = key.Asymmetric ?? throw IncompatibleAlgorithm("ECDH", key.KeySpec);
        if (command.DryRun) throw KmsException.DryRun();
        var secret = Primitive(() => asymmetric.DeriveSharedSecret(command.PublicKey));
        return new SharedSecretResult(secret, key.Arn.Value, key.Snapshot.Origin);
    }

    public async ValueTask<PublicKeyResult> GetPublicKeyAsync(KmsCaller caller, string keyId, string region)
    {
        var key = await GetAsync(caller, keyId, region);
        Authorize(key, caller, "GetPublicKey", new AccessRequest().Alias(keyId));
        KeyStates.EnsureUsableForCryptography(key.KeyState, key.Arn);
        var asymmetric = key.Asymmetric ?? throw new KmsException(KmsErrorCode.UnsupportedOperationException,
            $"{key.Arn} key spec is {key.KeySpec} which is not valid for GetPublicKey.");
        KeySpecCatalog.TryGet(key.KeySpec, out var info);
        return new PublicKeyResult
        {
            KeyArn = key.Arn.Value,
            PublicKey = asymmetric.PublicKeyDer,
            KeySpec = key.KeySpec,
            KeyUsage = key.KeyUsage,
            EncryptionAlgorithms = info?.EncryptionAlgorithms(key.KeyUsage) ?? [],
            SigningAlgorithms = info?.SigningAlgorithms(key.KeyUsage) ?? [],
            KeyAgreementAlgorithms = info?.KeyAgreementAlgorithms(key.KeyUsage) ?? [],
        };
    }

    public async ValueTask<DataKeyPairResult> GenerateDataKeyPairAsync(DataKeyPairCommand command, bool includePlaintext)
    {
        var operation = includePlaintext ? "GenerateDataKeyPair" : "GenerateDataKeyPairWithoutPlaintext";
        var key = await GetAsync(command.Caller, command.KeyId, command.Region);
        Authorize(key, command.Caller, operation, new AccessRequest().Alias(command.KeyId).Context(command.EncryptionContext)
            .With("kms:EncryptionAlgorithm", KmsValues.SymmetricDefault).With("kms:DataKeyPairSpec", command.KeyPairSpec));
        Usable(key, KmsValues.EncryptDecrypt, operation);
        var material = Symmetric(key, operation);
        if (command.DryRun) throw KmsException.DryRun();
        var (privateKey, publicKey) = DataKeyPairs.Generate(command.KeyPairSpec);
        using (privateKey)
        {
            var blob = material.Encrypt(key.Arn.KeyId, privateKey.Expose(), command.EncryptionContext);
            return new DataKeyPairResult(includePlaintext ? privateKey.Expose().ToArray() : null, blob, publicKey, key.Arn.Value, material.Current.MaterialIdHex);
        }
    }

    private async ValueTask<(CachedKey Key, AsymmetricKey Asymmetric)> SigningKeyAsync(SignatureCommand command, string operation)
    {
        var key = await GetAsync(command.Caller, command.KeyId, command.Region);
        Authorize(key, command.Caller, operation, new AccessRequest().Alias(command.KeyId)
            .With("kms:SigningAlgorithm", command.SigningAlgorithm).With("kms:MessageType", command.MessageType));
        Usable(key, KmsNames.SignVerify, operation);
        if (key.Asymmetric is not { } asymmetric || !KeySpecCatalog.TryGet(key.KeySpec, out var info)
            || !info.SigningAlgorithms(key.KeyUsage).Contains(command.SigningAlgorithm))
            throw IncompatibleAlgorithm(command.SigningAlgorithm, key.KeySpec);
        return (key, asymmetric);
    }

    private async ValueTask<(CachedKey Key, OrleansKms.Crypto.SecretBytes Secret)> MacKeyAsync(MacCommand command, string operation)
    {
        var key = await GetAsync(command.Caller, command.KeyId, command.Region);
        Authorize(key, command.Caller, operation, new AccessRequest().Alias(command.KeyId).With("kms:MacAlgorithm", command.MacAlgorithm));
        Usable(key, KmsNames.GenerateVerifyMac, operation);
        if (key.Hmac is not { } secret || !KeySpecCatalog.TryGet(key.KeySpec, out var info)
            || !info.MacAlgorithms(key.KeyUsage).Contains(command.MacAlgorithm))
            throw IncompatibleAlgorithm(command.MacAlgorithm, key.KeySpec);
        return (key, secret);
    }
}
