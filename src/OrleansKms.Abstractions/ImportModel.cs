namespace OrleansKms;

/// <summary>What GetParametersForImport answers: the wrapping public key (SubjectPublicKeyInfo DER) and its import token.</summary>
[GenerateSerializer, Immutable]
public sealed record ImportParameters(
    [property: Id(0)] byte[] PublicKey,
    [property: Id(1)] byte[] ImportToken,
    [property: Id(2)] DateTimeOffset ParametersValidTo);

/// <summary>What ImportKeyMaterial asks of a key of origin EXTERNAL.</summary>
[GenerateSerializer, Immutable]
public sealed record ImportKeyMaterialCommand
{
    [Id(0)] public required KmsCaller Caller { get; init; }
    [Id(1)] public required byte[] ImportToken { get; init; }
    [Id(2)] public required byte[] EncryptedKeyMaterial { get; init; }

    /// <summary>KEY_MATERIAL_EXPIRES (AWS's default) or KEY_MATERIAL_DOES_NOT_EXPIRE.</summary>
    [Id(3)] public string ExpirationModel { get; init; } = ImportValues.MaterialExpires;
    [Id(4)] public DateTimeOffset? ValidTo { get; init; }

    /// <summary>NEW_KEY_MATERIAL or EXISTING_KEY_MATERIAL; null: AWS's default for the key.</summary>
    [Id(5)] public string? ImportType { get; init; }
    [Id(6)] public string? KeyMaterialDescription { get; init; }
    [Id(7)] public string? KeyMaterialId { get; init; }
}

/// <summary>Wire values of imported key material.</summary>
public static class ImportValues
{
    public const string OriginExternal = "EXTERNAL";
    public const string MaterialExpires = "KEY_MATERIAL_EXPIRES";
    public const string MaterialDoesNotExpire = "KEY_MATERIAL_DOES_NOT_EXPIRE";
    public const string NewKeyMaterial = "NEW_KEY_MATERIAL";
    public const string ExistingKeyMaterial = "EXISTING_KEY_MATERIAL";
}

// Imported key material (the rest of IKeyGrain: KeyManagementModel.cs).
public partial interface IKeyGrain
{
    /// <summary>
    /// GetParametersForImport, in AWS's order: the caller's authorization (kms:GetParametersForImport, with
    /// kms:WrappingAlgorithm and kms:WrappingKeySpec), the key's state, its origin (EXTERNAL), then a new wrapping key
    /// pair and an import token bound to this key and that pair, valid for 24 hours.
    /// </summary>
    Task<ImportParameters> GetParametersForImportAsync(KmsCaller caller, string wrappingAlgorithm, string wrappingKeySpec);

    /// <summary>ImportKeyMaterial: the key's material id (the same for the same material, re-imported).</summary>
    Task<string> ImportKeyMaterialAsync(ImportKeyMaterialCommand command);

    /// <summary>DeleteImportedKeyMaterial: the key goes back to PendingImport; answers the deleted material's id.</summary>
    Task<string?> DeleteImportedKeyMaterialAsync(KmsCaller caller, string? keyMaterialId);
}
