namespace OrleansKms.Grains;

/// <summary>
/// The several key materials of a symmetric key of origin EXTERNAL, as AWS keeps them: the first import is current;
/// an import with ImportType NEW_KEY_MATERIAL adds material in PENDING_ROTATION, which RotateKeyOnDemand makes
/// current (the earlier material stays for decryption); each material has its own expiration and description, and
/// can be deleted (or expire) and be imported again on its own.
/// </summary>
public sealed partial class KeyGrain
{
    private const string PendingRotationState = "PENDING_ROTATION";

    /// <summary>The key's imported materials; a key stored before the list existed has its one material described by its own fields.</summary>
    private static List<ImportedMaterial> ImportsOf(StoredKey s) =>
        s.ImportedMaterials.Count > 0 || s.CurrentKeyMaterialId is not { } id
            ? [.. s.ImportedMaterials]
            : [new ImportedMaterial(id, s.Materials.Count > 0, s.ExpirationModel, s.ValidTo, s.KeyMaterialDescription, PendingRotation: false)];

    /// <summary>
    /// Records an import of <paramref name="materialId"/> in <paramref name="next"/>'s list, as ImportType says: NEW
    /// adds the first material (current) or one pending rotation; EXISTING imports again material the key had.
    /// </summary>
    private void RecordImport(StoredKey current, StoredKey next, ImportKeyMaterialCommand command, string materialId)
    {
        var imports = ImportsOf(current);
        var importType = command.ImportType ?? (current.CurrentKeyMaterialId is null ? ImportValues.NewKeyMaterial : ImportValues.ExistingKeyMaterial);
        if (importType == ImportValues.NewKeyMaterial && command.KeyMaterialId is not null)
            throw KmsException.Validation("You cannot specify a KeyMaterialId when ImportType is NEW_KEY_MATERIAL.");
        if (command.KeyMaterialId is { } named && named != materialId)
            throw new KmsException(KmsErrorCode.IncorrectKeyMaterialException, $"The key material does not match key material {named}.");
        var index = imports.FindIndex(m => m.KeyMaterialId == materialId);
        if (importType == ImportValues.ExistingKeyMaterial)
        {
            if (index < 0)
            {
                throw new KmsException(KmsErrorCode.IncorrectKeyMaterialException,
                    $"The key material you are importing is not the key material previously imported into {Arn}.");
            }

            imports[index] = imports[index] with
            {
                Imported = true, ExpirationModel = command.ExpirationModel, ValidTo = command.ValidTo,
                Description = command.KeyMaterialDescription ?? imports[index].Description,
            };
        }
        else
        {
            AddNewMaterial(current, next, imports, index, command, materialId);
        }

        next.ImportedMaterials = imports;
    }

    private void AddNewMaterial(StoredKey current, StoredKey next, List<ImportedMaterial> imports, int index, ImportKeyMaterialCommand command, string materialId)
    {
        if (index >= 0)
        {
            throw new KmsException(KmsErrorCode.IncorrectKeyMaterialException,
                $"The key material is already associated with {Arn}; import it with ImportType EXISTING_KEY_MATERIAL.");
        }

        var first = current.CurrentKeyMaterialId is null;
        if (!first && current.KeySpec != KmsValues.SymmetricDefault)
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, $"Only symmetric encryption keys can have more than one key material; {Arn} is {current.KeySpec}.");
        if (!first && imports.Any(m => m.PendingRotation))
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{Arn} already has key material in {PendingRotationState} state: rotate to it (RotateKeyOnDemand) or delete it first.");
        if (!first && current.KeyState == KeyStateKind.PendingImport)
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{Arn} is pending import: import its current key material again before new key material.");
        imports.Add(new ImportedMaterial(materialId, true, command.ExpirationModel, command.ValidTo, command.KeyMaterialDescription, PendingRotation: !first));
        if (first) next.CurrentKeyMaterialId = materialId;
    }

    /// <summary>RotateKeyOnDemand of an imported key: the material pending rotation becomes current.</summary>
    private StoredKey RotatedToImported(StoredKey current)
    {
        var imports = ImportsOf(current);
        var index = imports.FindIndex(m => m.PendingRotation);
        if (index < 0 || !imports[index].Imported)
        {
            throw new KmsException(KmsErrorCode.KMSInvalidStateException,
                $"{Arn} has no imported key material in {PendingRotationState} state. Import new key material (ImportType NEW_KEY_MATERIAL) first.");
        }

        var next = current.Clone();
        imports[index] = imports[index] with { PendingRotation = false };
        next.ImportedMaterials = imports;
        next.CurrentKeyMaterialId = imports[index].KeyMaterialId;
        next.Rotations.Add(new KeyRotation(imports[index].KeyMaterialId, time.GetUtcNow(), OnDemand));
        SyncCurrentMaterial(next);
        return next;
    }

    /// <summary>
    /// Deletes one imported material (<paramref name="materialId"/>) from the key: its id stays, so it can be imported
    /// again. Without the current material the key is pending import.
    /// </summary>
    private static StoredKey WithoutMaterial(StoredKey current, string materialId)
    {
        var next = current.Clone();
        var imports = ImportsOf(current);
        var index = imports.FindIndex(m => m.KeyMaterialId == materialId);
        if (index >= 0) imports[index] = imports[index] with { Imported = false };
        next.ImportedMaterials = imports;
        next.Materials.RemoveAll(m => m.KeyMaterialId == materialId);
        SyncCurrentMaterial(next);
        return next;
    }

    /// <summary>The key-level fields (state, ExpirationModel, ValidTo, description) follow the current material.</summary>
    private static void SyncCurrentMaterial(StoredKey next)
    {
        var current = next.ImportedMaterials.Find(m => m.KeyMaterialId == next.CurrentKeyMaterialId);
        var imported = current is { Imported: true };
        next.ExpirationModel = imported ? current!.ExpirationModel : null;
        next.ValidTo = imported ? current!.ValidTo : null;
        if (current?.Description is { } description) next.KeyMaterialDescription = description;
        if (imported && next.KeyState == KeyStateKind.PendingImport) next.KeyState = KeyStateKind.Enabled;
        if (!imported && next.KeyState is not (KeyStateKind.PendingDeletion or KeyStateKind.PendingReplicaDeletion)) next.KeyState = KeyStateKind.PendingImport;
    }

    /// <summary>The imported material whose ValidTo has come first, if any.</summary>
    private static ImportedMaterial? ExpiredMaterial(StoredKey s, DateTimeOffset now) =>
        ImportsOf(s).Find(m => m.Imported && m.ValidTo is { } validTo && validTo <= now);

    /// <summary>How ListKeyRotations shows a material: its state, and for an imported key its import fields.</summary>
    private static ListedKeyMaterial Listed(StoredKey s, string materialId, DateTimeOffset? rotationDate, string? rotationType)
    {
        var imported = s.Origin == ImportValues.OriginExternal ? ImportsOf(s).Find(m => m.KeyMaterialId == materialId) : null;
        var isCurrent = materialId == s.CurrentKeyMaterialId;
        return new ListedKeyMaterial(materialId, rotationDate, rotationType, isCurrent)
        {
            KeyMaterialState = imported is { PendingRotation: true } ? PendingRotationState : isCurrent ? "CURRENT" : "NON_CURRENT",
            ImportState = imported is null ? null : imported.Imported ? "IMPORTED" : "PENDING_IMPORT",
            ExpirationModel = imported?.ExpirationModel,
            ValidTo = imported?.ExpirationModel == ImportValues.MaterialExpires ? imported.ValidTo : null,
            KeyMaterialDescription = imported?.Description,
        };
    }
}
