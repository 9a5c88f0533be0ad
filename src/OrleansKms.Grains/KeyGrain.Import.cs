using System.Security.Cryptography;
using System.Text;
using OrleansKms.Crypto;
using OrleansKms.Crypto.Keys;
using Microsoft.Extensions.Logging;
using OrleansKms.Policy;

namespace OrleansKms.Grains;

/// <summary>
/// Imported key material (origin EXTERNAL): GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial,
/// and the expiry of material at its ValidTo (the lifecycle reminder, <see cref="ExpireImportedMaterialIfDueAsync"/>).
/// The key keeps its material id after a deletion or expiry, so only the same material can be imported again.
/// </summary>
public sealed partial class KeyGrain
{
    /// <summary>AWS's latest ValidTo: 365 days from the request.</summary>
    private static readonly TimeSpan MaxValidity = TimeSpan.FromDays(365);

    public Task<ImportParameters> GetParametersForImportAsync(KmsCaller caller, string wrappingAlgorithm, string wrappingKeySpec)
    {
        var current = Authorized(caller, "GetParametersForImport",
            new AccessRequest().With("kms:WrappingAlgorithm", wrappingAlgorithm).With("kms:WrappingKeySpec", wrappingKeySpec));
        EnsureImportable(current);
        var (publicKey, privateKey) = NewWrappingKey(wrappingAlgorithm, wrappingKeySpec);
        using (privateKey)
        {
            var validTo = time.GetUtcNow() + ImportTokens.Lifetime;
            var token = ImportTokens.Issue(secrets.KeyFor(ImportTokens.SecretPurpose), Arn, validTo, wrappingAlgorithm, wrappingKeySpec, privateKey, protector);
            return Task.FromResult(new ImportParameters(publicKey, token, validTo));
        }
    }

    /// <summary>
    /// The wrapping key pair: RSA specs with the RSA algorithms (from the silo's pool of pre-generated RSA keys); SM2
    /// with SM2PKE, only in China Regions (as AWS).
    /// RSAES_PKCS1_V1_5 is refused, as AWS has refused it since October 2023.
    /// </summary>
    private (byte[] PublicKey, SecretBytes PrivateKey) NewWrappingKey(string wrappingAlgorithm, string wrappingKeySpec)
    {
        if (ImportWrapping.RsaBits(wrappingKeySpec) is { } bits && ImportWrapping.IsRsaAlgorithm(wrappingAlgorithm))
            return ImportWrapping.RsaWrappingKey(rsaKeys.Take(bits));
        if (wrappingKeySpec == ImportWrapping.Sm2Spec && wrappingAlgorithm == ImportWrapping.Sm2Pke)
        {
            if (KeySpecCatalog.CreationProblem(wrappingKeySpec, KmsValues.EncryptDecrypt, Arn.Region) is not null)
                throw new KmsException(KmsErrorCode.UnsupportedOperationException, $"WrappingKeySpec SM2 is available only in China Regions, not in {Arn.Region}.");
            return ImportWrapping.NewSm2WrappingKey();
        }

        throw new KmsException(KmsErrorCode.UnsupportedOperationException,
            $"WrappingAlgorithm {wrappingAlgorithm} is not valid with WrappingKeySpec {wrappingKeySpec}.");
    }

    public async Task<string> ImportKeyMaterialAsync(ImportKeyMaterialCommand command)
    {
        var request = new AccessRequest().With("kms:ExpirationModel", command.ExpirationModel);
        if (command.ValidTo is { } validTo) request.With("kms:ValidTo", ConditionValue.Of(validTo));
        var current = Authorized(command.Caller, "ImportKeyMaterial", request);
        EnsureImportable(current);
        CheckExpiration(command);
        var token = ImportTokens.Verify(secrets.KeyFor(ImportTokens.SecretPurpose), Arn, command.ImportToken)
            ?? throw new KmsException(KmsErrorCode.InvalidImportTokenException, "Import token is invalid or does not belong to this key.");
        if (token.ExpiresAt <= time.GetUtcNow())
            throw new KmsException(KmsErrorCode.ExpiredImportTokenException, "Import token has expired.");

        var (materialId, material) = Unwrap(current, token, command.EncryptedKeyMaterial);
        using (material)
        {
            var next = current.Clone();
            RecordImport(current, next, command, materialId);
            next.Materials.RemoveAll(m => m.KeyMaterialId == materialId);
            next.Materials.Add(new WrappedKeyMaterial(materialId, protector.Wrap(material, Arn, materialId), time.GetUtcNow()));
            SyncCurrentMaterial(next);
            await CommitAndPublishAsync(next);
        }

        await EnsureLifecycleReminderAsync();
        return materialId;
    }

    public async Task<string?> DeleteImportedKeyMaterialAsync(KmsCaller caller, string? keyMaterialId)
    {
        var current = Authorized(caller, "DeleteImportedKeyMaterial");
        EnsureImportable(current);
        if (keyMaterialId is not null && ImportsOf(current).All(m => m.KeyMaterialId != keyMaterialId))
            throw new KmsException(KmsErrorCode.NotFoundException, $"Key material {keyMaterialId} is not associated with {Arn}.");
        var deleted = keyMaterialId ?? current.CurrentKeyMaterialId;
        if (deleted is null) return null;
        await CommitAndPublishAsync(WithoutMaterial(current, deleted));
        await EnsureLifecycleReminderAsync();
        return deleted;
    }

    /// <summary>The lifecycle reminder's part: imported material whose ValidTo has come is deleted, as AWS deletes it.</summary>
    private async Task ExpireImportedMaterialIfDueAsync(DateTimeOffset now)
    {
        var s = state.State;
        if (s.Origin != ImportValues.OriginExternal || s.KeyState == KeyStateKind.PendingDeletion) return; // a deletion takes the material with it
        while (ExpiredMaterial(state.State, now) is { } expired)
        {
            await CommitAndPublishAsync(WithoutMaterial(state.State, expired.KeyMaterialId));
            serviceEvents.Record(new KmsServiceEvent("DeleteExpiredKeyMaterial", Arn, now,
                [new("keyId", Arn.KeyId), new("keyMaterialId", expired.KeyMaterialId)]));
            logger.LogInformation("Imported key material {MaterialId} of {KeyArn} expired and was deleted", expired.KeyMaterialId, Arn.Value);
        }
    }

    /// <summary>Every import operation: any state but PendingDeletion, on a key of origin EXTERNAL.</summary>
    private void EnsureImportable(StoredKey current)
    {
        KeyStates.EnsureNotPendingDeletion(current.KeyState, Arn);
        if (current.Origin != ImportValues.OriginExternal) throw InvalidOrigin(current.Origin);
    }

    private void CheckExpiration(ImportKeyMaterialCommand command)
    {
        if (command.ExpirationModel == ImportValues.MaterialExpires)
        {
            if (command.ValidTo is not { } validTo)
                throw KmsException.Validation("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
            var now = time.GetUtcNow();
            if (validTo <= now || validTo > now + MaxValidity)
                throw KmsException.Validation("ValidTo must be a future date and time no more than 365 days from now.");
        }
        else if (command.ValidTo is not null)
        {
            throw KmsException.Validation("A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE");
        }
    }

    /// <summary>The material in clear and its id, checked against the key's spec.</summary>
    private (string MaterialId, SecretBytes Material) Unwrap(StoredKey current, ImportTokens.Contents token, byte[] encrypted)
    {
        SecretBytes? material;
        using (var privateKey = protector.Unwrap(token.WrappedPrivateKey, Arn))
        {
            material = ImportWrapping.Unwrap(token.WrappingAlgorithm, privateKey, encrypted);
        }

        if (material is null) throw KmsException.WithoutMessage(KmsErrorCode.InvalidCiphertextException);
        if (KeySpecCatalog.Get(current.KeySpec).MaterialProblem(material.Expose()) is { } problem)
        {
            material.Dispose();
            throw new KmsException(KmsErrorCode.IncorrectKeyMaterialException, $"The key material is not valid for {Arn}: {problem}");
        }

        return (ImportedMaterialId(material), material);
    }

    /// <summary>
    /// As AWS: the id of imported material is derived from the key id and the material (SHA-256 of both), so the same
    /// material always has the same id in this key, and only that material can be imported into it again.
    /// </summary>
    private string ImportedMaterialId(SecretBytes material)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(Arn.KeyId + "\n"));
        sha.AppendData(material.Expose());
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>AWS's answer to an operation the key's origin does not allow (import, rotation).</summary>
    private KmsException InvalidOrigin(string origin) =>
        new(KmsErrorCode.UnsupportedOperationException, $"{Arn} origin is {origin} which is not valid for this operation.");
}
