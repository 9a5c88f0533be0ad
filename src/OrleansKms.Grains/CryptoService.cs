using System.Security.Cryptography;
using OrleansKms.Crypto;
using OrleansKms.Crypto.Keys;
using OrleansKms.Policy;

namespace OrleansKms.Grains;

/// <summary>
/// The hot path of every cryptographic operation, one per silo: it reads the key from the silo's
/// <see cref="KeySnapshotCache"/>, authorizes the caller, checks state, usage and algorithm, and does the work. No
/// storage access and no KeyGrain call unless the snapshot is missing or past its bound. The gateway of a silo calls
/// it in-process (registered as the keyed <see cref="ICryptoWorker"/> <see cref="KmsServiceKeys.InProcessCrypto"/>);
/// grain callers reach it through the <see cref="CryptoWorker"/> stateless worker.
/// </summary>
public sealed partial class CryptoService(KeySnapshotCache cache, AliasCache aliases, KeyAccess access, IGrainFactory grains, KeyStores.KeyStoreCrypto keyStores,
    RsaKeyPool rsaKeys)
    : ICryptoWorker
{
    public ValueTask<KeyArn> ResolveAsync(KmsCaller caller, string keyId, string region)
    {
        if (!KeyReference.IsAlias(keyId)) return ValueTask.FromResult(KeyReference.ResolveKey(keyId, caller.AccountId, region));
        var (account, aliasRegion, name) = AliasNames.Parse(keyId, caller.AccountId, region);
        return ViaItsService(caller, account, aliasRegion, name) ? ResolveManagedAsync(account, aliasRegion, name) : aliases.ResolveAsync(account, aliasRegion, name);
    }

    /// <summary>
    /// A request an AWS service makes through alias/aws/THAT-SERVICE in the caller's own account: the alias of the
    /// service's AWS managed key, which exists from its first such use.
    /// </summary>
    private static bool ViaItsService(KmsCaller caller, string account, string region, string aliasName) =>
        caller.ViaService is { } via && account == caller.AccountId
        && aliasName.StartsWith(AliasNames.ReservedPrefix, StringComparison.Ordinal)
        && via == $"{aliasName[AliasNames.ReservedPrefix.Length..]}.{region}.amazonaws.com";

    private async ValueTask<KeyArn> ResolveManagedAsync(string account, string region, string aliasName)
    {
        try
        {
            return await aliases.ResolveAsync(account, region, aliasName);
        }
        catch (KmsException e) when (e.Code == KmsErrorCode.NotFoundException)
        {
            return await grains.GetGrain<IAliasGrain>(AliasNames.GrainKey(account, region, aliasName)).EnsureManagedKeyAsync();
        }
    }

    public async ValueTask<EncryptResult> EncryptAsync(EncryptCommand command)
    {
        using var lease = await LeaseAsync(command.Caller, command.KeyId, command.Region);
        var key = lease.Key;
        Authorize(key, command.Caller, "Encrypt", new AccessRequest().Alias(command.KeyId).Context(command.EncryptionContext)
            .With("kms:EncryptionAlgorithm", command.EncryptionAlgorithm ?? KmsValues.SymmetricDefault));
        Usable(key, KmsValues.EncryptDecrypt, "Encrypt");
        var algorithm = EncryptionAlgorithm(key, command.EncryptionAlgorithm, command.EncryptionContext);
        if (command.DryRun) throw KmsException.DryRun();
        var (blob, materialId) = await EncryptWithAsync(key, algorithm, command.Plaintext, command.EncryptionContext, command.Caller, "Encrypt");
        return new EncryptResult(blob, key.Arn.Value, materialId, algorithm);
    }

    public async ValueTask<DecryptResult> DecryptAsync(DecryptCommand command)
    {
        var (plaintext, key, materialId, algorithm) = await DecryptCoreAsync(command, "Decrypt");
        if (command.DryRun) throw KmsException.DryRun();
        return new DecryptResult(plaintext, key.Arn.Value, materialId, algorithm);
    }

    public async ValueTask<ReEncryptResult> ReEncryptAsync(ReEncryptCommand command)
    {
        var (plaintext, source, sourceMaterialId, sourceAlgorithm) = await DecryptCoreAsync(command.Source, "ReEncrypt");
        try
        {
            using var lease = await LeaseAsync(command.Source.Caller, command.DestinationKeyId, command.Source.Region);
            var destination = lease.Key;
            Authorize(destination, command.Source.Caller, "ReEncrypt", new AccessRequest().Alias(command.DestinationKeyId)
                .Context(command.DestinationEncryptionContext)
                .With("kms:EncryptionAlgorithm", command.DestinationEncryptionAlgorithm ?? KmsValues.SymmetricDefault)
                .With("kms:ReEncryptOnSameKey", ConditionValue.Of(destination.Arn == source.Arn)), index: 1);
            Usable(destination, KmsValues.EncryptDecrypt, "ReEncrypt");
            var algorithm = EncryptionAlgorithm(destination, command.DestinationEncryptionAlgorithm, command.DestinationEncryptionContext);
            if (command.Source.DryRun) throw KmsException.DryRun();
            var (blob, materialId) = await EncryptWithAsync(destination, algorithm, plaintext, command.DestinationEncryptionContext, command.Source.Caller, "ReEncrypt");
            return new ReEncryptResult(blob, source.Arn.Value, destination.Arn.Value, sourceMaterialId, materialId, sourceAlgorithm, algorithm);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public async ValueTask<DataKeyResult> GenerateDataKeyAsync(GenerateDataKeyCommand command, bool includePlaintext)
    {
        var operation = includePlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext";
        using var lease = await LeaseAsync(command.Caller, command.KeyId, command.Region);
        var key = lease.Key;
        Authorize(key, command.Caller, operation, new AccessRequest().Alias(command.KeyId).Context(command.EncryptionContext)
            .With("kms:EncryptionAlgorithm", KmsValues.SymmetricDefault));
        Usable(key, KmsValues.EncryptDecrypt, operation);
        if (key.Snapshot.KeyStore is null) Symmetric(key, operation);
        if (command.DryRun) throw KmsException.DryRun();
        var dataKey = RandomNumberGenerator.GetBytes(command.NumberOfBytes);
        var (blob, materialId) = await EncryptWithAsync(key, KmsValues.SymmetricDefault, dataKey, command.EncryptionContext, command.Caller, operation);
        if (!includePlaintext) CryptographicOperations.ZeroMemory(dataKey);
        return new DataKeyResult(includePlaintext ? dataKey : null, blob, key.Arn.Value, materialId!);
    }

    /// <summary>The key a request names, held for the request: dispose the lease when its material is no longer needed.</summary>
    private async ValueTask<KeyLease> LeaseAsync(KmsCaller caller, string keyId, string region) =>
        await cache.LeaseAsync(await ResolveAsync(caller, keyId, region));

    /// <summary>
    /// Authorizes <paramref name="operation"/>'s <paramref name="index"/>th permission on the key (AccessDeniedException
    /// otherwise). Done before the key's state and usage are checked, as AWS does.
    /// </summary>
    private void Authorize(CachedKey key, KmsCaller caller, string operation, AccessRequest request, int index = 0, string? deniedMessage = null) =>
        access.Authorize(caller, KmsPermissions.For(operation)[index], key.Snapshot, request, deniedMessage);

    private async ValueTask<(byte[] Plaintext, CachedKey Key, string? MaterialId, string Algorithm)> DecryptCoreAsync(DecryptCommand command, string operation)
    {
        using var namedLease = command.KeyId is null ? default : await LeaseAsync(command.Caller, command.KeyId, command.Region);
        CachedKey? named = command.KeyId is null ? null : namedLease.Key;
        var request = new AccessRequest().Alias(command.KeyId).Context(command.EncryptionContext)
            .With("kms:EncryptionAlgorithm", command.EncryptionAlgorithm ?? KmsValues.SymmetricDefault);
        if (named is not null) Authorize(named, command.Caller, operation, request);
        if (named?.Asymmetric is { } asymmetric)
        {
            Usable(named, KmsValues.EncryptDecrypt, "Decrypt");
            var algorithm = EncryptionAlgorithm(named, command.EncryptionAlgorithm, command.EncryptionContext);
            try
            {
                return (asymmetric.Decrypt(command.CiphertextBlob, algorithm), named, null, algorithm);
            }
            catch (KmsCryptoException)
            {
                throw KmsException.InvalidCiphertext();
            }
        }

        var inKeyStore = KeyStoreCiphertext.IsVersion2(command.CiphertextBlob);
        KeyStoreCiphertext storeBlob = default;
        CiphertextBlob blob = default;
        string? keyId;
        if (inKeyStore) keyId = KeyStoreCiphertext.TryParse(command.CiphertextBlob, out storeBlob) ? storeBlob.KeyId : null;
        else keyId = CiphertextBlob.TryParse(command.CiphertextBlob, out blob) ? blob.KeyId : null;
        if (keyId is null) throw KmsException.InvalidCiphertext();
        KeyLease fromBlob = default;
        try
        {
            CachedKey key;
            if (named is not null)
            {
                if (named.Arn.KeyId != keyId)
                {
                    throw new KmsException(KmsErrorCode.IncorrectKeyException,
                        "The key ID in the request does not identify a CMK that can perform this operation.");
                }

                key = named;
            }
            else
            {
                try
                {
                    fromBlob = await cache.LeaseAsync(new KeyArn(command.Region, command.Caller.AccountId, keyId));
                }
                catch (KmsException e) when (e.Code == KmsErrorCode.NotFoundException)
                {
                    throw KmsException.InvalidCiphertext();
                }

                key = fromBlob.Key;
                Authorize(key, command.Caller, operation, request, deniedMessage: KeyAccess.DecryptDeniedMessage);
            }

            return await DecryptWithAsync(command, operation, key, named, inKeyStore, storeBlob, blob);
        }
        finally
        {
            fromBlob.Dispose();
        }
    }

    private async ValueTask<(byte[] Plaintext, CachedKey Key, string? MaterialId, string Algorithm)> DecryptWithAsync(DecryptCommand command, string operation,
        CachedKey key, CachedKey? named, bool inKeyStore, KeyStoreCiphertext storeBlob, CiphertextBlob blob)
    {
        Usable(key, KmsValues.EncryptDecrypt, "Decrypt");
        // The algorithm is a parameter: checked after the key's state and usage (docs/key-states.md, "Order of checks").
        if (command.EncryptionAlgorithm is { } requested && requested != KmsValues.SymmetricDefault && named is not null)
            throw IncompatibleAlgorithm(requested, named.KeySpec);
        if (inKeyStore != key.Snapshot.KeyStore is not null) throw KmsException.InvalidCiphertext();
        if (inKeyStore)
        {
            var clear = await keyStores.DecryptAsync(key, storeBlob, command.EncryptionContext, command.Caller, operation);
            return (clear, key, storeBlob.MaterialId, KmsValues.SymmetricDefault);
        }

        var material = Symmetric(key, "Decrypt");
        var version = material.Find(blob.MaterialId) ?? throw KmsException.InvalidCiphertext();
        if (!blob.TryDecrypt(version.Material, command.EncryptionContext, out var plaintext)) throw KmsException.InvalidCiphertext();
        return (plaintext, key, version.MaterialIdHex, KmsValues.SymmetricDefault);
    }

    /// <summary>The ciphertext, and the key material id where AWS reports one (symmetric keys only); keys in custom key stores through their store.</summary>
    private async ValueTask<(byte[] Blob, string? MaterialId)> EncryptWithAsync(CachedKey key, string algorithm, byte[] plaintext,
        IReadOnlyDictionary<string, string>? context, KmsCaller caller, string operation) =>
        key.Snapshot.KeyStore is null
            ? EncryptWith(key, algorithm, plaintext, context)
            : (await keyStores.EncryptAsync(key, plaintext, context, caller, operation), key.CurrentKeyMaterialId);

    private static (byte[] Blob, string? MaterialId) EncryptWith(CachedKey key, string algorithm, byte[] plaintext, IReadOnlyDictionary<string, string>? context)
    {
        if (key.Asymmetric is { } asymmetric) return (Primitive(() => asymmetric.Encrypt(plaintext, algorithm)), null);
        var material = Symmetric(key, "Encrypt");
        return (material.Encrypt(key.Arn.KeyId, plaintext, context), material.Current.MaterialIdHex);
    }

    /// <summary>The encryption algorithm to use with this key: SYMMETRIC_DEFAULT for symmetric keys, the caller's choice from the spec's list otherwise.</summary>
    private static string EncryptionAlgorithm(CachedKey key, string? requested, IReadOnlyDictionary<string, string>? context)
    {
        var algorithm = requested ?? KmsValues.SymmetricDefault;
        if (!KeySpecCatalog.TryGet(key.KeySpec, out var info) || !info.EncryptionAlgorithms(key.KeyUsage).Contains(algorithm))
            throw IncompatibleAlgorithm(algorithm, key.KeySpec);
        if (key.Asymmetric is not null && context is { Count: > 0 })
            throw KmsException.Validation($"EncryptionContext is not supported with asymmetric KMS keys ({key.KeySpec}).");
        return algorithm;
    }

    /// <summary>The key if it may be used for <paramref name="operation"/> now (state and usage); else AWS's error.</summary>
    private static CachedKey Usable(CachedKey key, string usage, string operation)
    {
        KeyStates.EnsureUsableForCryptography(key.KeyState, key.Arn);
        if (key.KeyUsage != usage)
        {
            throw new KmsException(KmsErrorCode.InvalidKeyUsageException,
                $"{key.Arn} key usage is {key.KeyUsage} which is not valid for {operation}.");
        }

        return key;
    }

    private static SymmetricKeyMaterialSet Symmetric(CachedKey key, string operation) =>
        key.Symmetric ?? throw new KmsException(KmsErrorCode.InvalidKeyUsageException,
            $"{key.Arn} key spec is {key.KeySpec} which is not valid for {operation}.");

    private static KmsException IncompatibleAlgorithm(string algorithm, string keySpec) =>
        new(KmsErrorCode.InvalidKeyUsageException, $"Algorithm {algorithm} is incompatible with key spec {keySpec}.");

    /// <summary>Runs a primitive, turning its input errors into AWS's.</summary>
    private static T Primitive<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (KmsCryptoException e) when (e.Error is KmsCryptoError.InvalidDigestLength or KmsCryptoError.PlaintextTooLarge or KmsCryptoError.InvalidMessage)
        {
            throw KmsException.Validation(e.Message);
        }
        catch (KmsCryptoException e) when (e.Error == KmsCryptoError.InvalidPublicKey)
        {
            // AWS answers a peer public key it cannot use with a ValidationException that has no message.
            throw KmsException.WithoutMessage(KmsErrorCode.ValidationException);
        }
        catch (KmsCryptoException e) when (e.Error == KmsCryptoError.UnsupportedAlgorithm)
        {
            throw new KmsException(KmsErrorCode.InvalidKeyUsageException, e.Message);
        }
    }
}
