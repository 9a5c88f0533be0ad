using System.Security.Cryptography;
using OrleansKms.Crypto.Keys;
using OrleansKms.Policy;

namespace OrleansKms.Grains;

/// <summary>Sign/Verify, GenerateMac/VerifyMac, DeriveSharedSecret, GetPublicKey, GenerateDataKeyPair.</summary>
public sealed partial class CryptoService
{
    public async ValueTask<SignatureResult> SignAsync(SignatureCommand command)
    {
        var (lease, asymmetric) = await SigningKeyAsync(command, "Sign");
        using var _ = lease;
        var key = lease.Key;
        if (command.DryRun) throw KmsException.DryRun();
        var signature = Primitive(() => asymmetric.Sign(command.Message, command.MessageType, command.SigningAlgorithm));
        return new SignatureResult(signature, key.Arn.Value);
    }

    public async ValueTask<SignatureResult> VerifyAsync(SignatureCommand command)
    {
        var (lease, asymmetric) = await SigningKeyAsync(command, "Verify");
        using var _ = lease;
        var key = lease.Key;
        if (command.DryRun) throw KmsException.DryRun();
        if (!Primitive(() => asymmetric.Verify(command.Message, command.MessageType, command.Signature ?? [], command.SigningAlgorithm)))
            throw KmsException.WithoutMessage(KmsErrorCode.KMSInvalidSignatureException);
        return new SignatureResult([], key.Arn.Value);
    }

    public async ValueTask<MacResult> GenerateMacAsync(MacCommand command)
    {
        var (lease, secret) = await MacKeyAsync(command, "GenerateMac");
        using var _ = lease;
        var key = lease.Key;
        if (command.DryRun) throw KmsException.DryRun();
        return new MacResult(Primitive(() => HmacKeys.Mac(secret, key.KeySpec, command.MacAlgorithm, command.Message)), key.Arn.Value);
    }

    public async ValueTask<MacResult> VerifyMacAsync(MacCommand command)
    {
        var (lease, secret) = await MacKeyAsync(command, "VerifyMac");
        using var _ = lease;
        var key = lease.Key;
        if (command.DryRun) throw KmsException.DryRun();
        if (!Primitive(() => HmacKeys.Verify(secret, key.KeySpec, command.MacAlgorithm, command.Message, command.Mac ?? [])))
            throw KmsException.WithoutMessage(KmsErrorCode.KMSInvalidMacException);
        return new MacResult([], key.Arn.Value);
    }

    public async ValueTask<SharedSecretResult> DeriveSharedSecretAsync(SharedSecretCommand command)
    {
        using var lease = await LeaseAsync(command.Caller, command.KeyId, command.Region);
        var key = lease.Key;
        Authorize(key, command.Caller, "DeriveSharedSecret", new AccessRequest().Alias(command.KeyId).With("kms:KeyAgreementAlgorithm", "ECDH"));
        Usable(key, KmsNames.KeyAgreement, "DeriveSharedSecret");
        var asymmetric = key.Asymmetric ?? throw IncompatibleAlgorithm("ECDH", key.KeySpec);
        if (command.DryRun) throw KmsException.DryRun();
        var secret = Primitive(() => asymmetric.DeriveSharedSecret(command.PublicKey));
        return new SharedSecretResult(secret, key.Arn.Value, key.Snapshot.Origin);
    }

    public async ValueTask<PublicKeyResult> GetPublicKeyAsync(KmsCaller caller, string keyId, string region)
    {
        using var lease = await LeaseAsync(caller, keyId, region);
        var key = lease.Key;
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
        using var lease = await LeaseAsync(command.Caller, command.KeyId, command.Region);
        var key = lease.Key;
        Authorize(key, command.Caller, operation, new AccessRequest().Alias(command.KeyId).Context(command.EncryptionContext)
            .With("kms:EncryptionAlgorithm", KmsValues.SymmetricDefault).With("kms:DataKeyPairSpec", command.KeyPairSpec));
        Usable(key, KmsValues.EncryptDecrypt, operation);
        var material = Symmetric(key, operation);
        if (command.DryRun) throw KmsException.DryRun();
        var (privateKey, publicKey) = DataKeyPairs.Generate(command.KeyPairSpec, rsaKeys);
        using (privateKey)
        {
            var blob = material.Encrypt(key.Arn.KeyId, privateKey.Expose(), command.EncryptionContext);
            return new DataKeyPairResult(includePlaintext ? privateKey.Expose().ToArray() : null, blob, publicKey, key.Arn.Value, material.Current.MaterialIdHex);
        }
    }

    /// <summary>The signing key, held: the caller disposes the lease.</summary>
    private async ValueTask<(KeyLease Lease, AsymmetricKey Asymmetric)> SigningKeyAsync(SignatureCommand command, string operation)
    {
        var lease = await LeaseAsync(command.Caller, command.KeyId, command.Region);
        try
        {
            var key = lease.Key;
            Authorize(key, command.Caller, operation, new AccessRequest().Alias(command.KeyId)
                .With("kms:SigningAlgorithm", command.SigningAlgorithm).With("kms:MessageType", command.MessageType));
            Usable(key, KmsNames.SignVerify, operation);
            if (key.Asymmetric is not { } asymmetric || !KeySpecCatalog.TryGet(key.KeySpec, out var info)
                || !info.SigningAlgorithms(key.KeyUsage).Contains(command.SigningAlgorithm))
                throw IncompatibleAlgorithm(command.SigningAlgorithm, key.KeySpec);
            return (lease, asymmetric);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>The MAC key, held: the caller disposes the lease.</summary>
    private async ValueTask<(KeyLease Lease, OrleansKms.Crypto.SecretBytes Secret)> MacKeyAsync(MacCommand command, string operation)
    {
        var lease = await LeaseAsync(command.Caller, command.KeyId, command.Region);
        try
        {
            var key = lease.Key;
            Authorize(key, command.Caller, operation, new AccessRequest().Alias(command.KeyId).With("kms:MacAlgorithm", command.MacAlgorithm));
            Usable(key, KmsNames.GenerateVerifyMac, operation);
            if (key.Hmac is not { } secret || !KeySpecCatalog.TryGet(key.KeySpec, out var info)
                || !info.MacAlgorithms(key.KeyUsage).Contains(command.MacAlgorithm))
                throw IncompatibleAlgorithm(command.MacAlgorithm, key.KeySpec);
            return (lease, secret);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }
}
