using System.Security.Cryptography;
using Orleans.Concurrency;
using OrleansKms.Crypto;

namespace OrleansKms.Grains;

/// <summary>
/// The hot path of every cryptographic operation: a stateless worker on the silo that received the call. It reads
/// the key from the silo's <see cref="KeySnapshotCache"/>, checks state and usage, and does the AES-GCM work.
/// No storage access and no KeyGrain call unless the snapshot is missing or past its bound.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class CryptoWorker(KeySnapshotCache cache, AliasCache aliases) : Grain, ICryptoWorker
{
    public ValueTask<KeyArn> ResolveAsync(KmsCaller caller, string keyId, string region)
    {
        if (!KeyReference.IsAlias(keyId)) return ValueTask.FromResult(KeyReference.ResolveKey(keyId, caller.AccountId, region));
        var (account, aliasRegion, name) = AliasNames.Parse(keyId, caller.AccountId, region);
        return aliases.ResolveAsync(account, aliasRegion, name);
    }

    public async ValueTask<EncryptResult> EncryptAsync(EncryptCommand command)
    {
        var key = await cache.GetAsync(await ResolveAsync(command.Caller, command.KeyId, command.Region));
        var material = Usable(key, "Encrypt");
        if (command.DryRun) throw KmsException.DryRun();
        var blob = material.Encrypt(key.Arn.KeyId, command.Plaintext, command.EncryptionContext);
        return new EncryptResult(blob, key.Arn.Value, material.Current.MaterialIdHex);
    }

    public async ValueTask<DecryptResult> DecryptAsync(DecryptCommand command)
    {
        var (plaintext, key, version) = await DecryptCoreAsync(command);
        if (command.DryRun) throw KmsException.DryRun();
        return new DecryptResult(plaintext, key.Arn.Value, version.MaterialIdHex);
    }

    public async ValueTask<ReEncryptResult> ReEncryptAsync(ReEncryptCommand command)
    {
        var (plaintext, source, sourceVersion) = await DecryptCoreAsync(command.Source);
        try
        {
            var destination = await cache.GetAsync(await ResolveAsync(command.Source.Caller, command.DestinationKeyId, command.Source.Region));
            var material = Usable(destination, "ReEncrypt");
            if (command.Source.DryRun) throw KmsException.DryRun();
            var blob = material.Encrypt(destination.Arn.KeyId, plaintext, command.DestinationEncryptionContext);
            return new ReEncryptResult(blob, source.Arn.Value, destination.Arn.Value, sourceVersion.MaterialIdHex, material.Current.MaterialIdHex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public async ValueTask<DataKeyResult> GenerateDataKeyAsync(GenerateDataKeyCommand command, bool includePlaintext)
    {
        var key = await cache.GetAsync(await ResolveAsync(command.Caller, command.KeyId, command.Region));
        var material = Usable(key, includePlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext");
        if (command.DryRun) throw KmsException.DryRun();
        var dataKey = RandomNumberGenerator.GetBytes(command.NumberOfBytes);
        var blob = material.Encrypt(key.Arn.KeyId, dataKey, command.EncryptionContext);
        if (!includePlaintext) CryptographicOperations.ZeroMemory(dataKey);
        return new DataKeyResult(includePlaintext ? dataKey : null, blob, key.Arn.Value, material.Current.MaterialIdHex);
    }

    private async ValueTask<(byte[] Plaintext, CachedKey Key, SymmetricKeyVersion Version)> DecryptCoreAsync(DecryptCommand command)
    {
        if (!CiphertextBlob.TryParse(command.CiphertextBlob, out _)) throw KmsException.InvalidCiphertext();
        var keyId = ReadKeyId(command.CiphertextBlob) ?? throw KmsException.InvalidCiphertext();
        CachedKey key;
        if (command.KeyId is not null)
        {
            var expected = await ResolveAsync(command.Caller, command.KeyId, command.Region);
            key = await cache.GetAsync(expected);
            if (expected.KeyId != keyId)
            {
                throw new KmsException(KmsErrorCode.IncorrectKeyException,
                    "The key ID in the request does not identify a CMK that can perform this operation.");
            }
        }
        else
        {
            try
            {
                key = await cache.GetAsync(new KeyArn(command.Region, command.Caller.AccountId, keyId));
            }
            catch (KmsException e) when (e.Code == KmsErrorCode.NotFoundException)
            {
                throw KmsException.InvalidCiphertext();
            }
        }

        var material = Usable(key, "Decrypt");
        if (!CiphertextBlob.TryParse(command.CiphertextBlob, out var blob)) throw KmsException.InvalidCiphertext();
        var version = material.Find(blob.MaterialId) ?? throw KmsException.InvalidCiphertext();
        if (!blob.TryDecrypt(version.Material, command.EncryptionContext, out var plaintext)) throw KmsException.InvalidCiphertext();
        return (plaintext, key, version);
    }

    private static string? ReadKeyId(byte[] blob) =>
        CiphertextBlob.TryParse(blob, out var parsed) ? parsed.KeyId : null;

    /// <summary>The key's symmetric material if the key may do <paramref name="operation"/> now; else AWS's error.</summary>
    private static SymmetricKeyMaterialSet Usable(CachedKey key, string operation)
    {
        KeyStates.EnsureUsable(key.KeyState, key.Arn);
        if (key.KeyUsage != KmsValues.EncryptDecrypt)
        {
            throw new KmsException(KmsErrorCode.InvalidKeyUsageException,
                $"{key.Arn} key usage is {key.KeyUsage} which is not valid for {operation}.");
        }

        return key.Symmetric ?? throw new KmsException(KmsErrorCode.UnsupportedOperationException,
            $"{key.Arn} key spec is {key.KeySpec} which is not supported for {operation}.");
    }
}
