using System.Collections.Frozen;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>
/// The dispatch table: every operation of the AWS KMS API model, by name, to its handler. Each area lists its own
/// operations (the <c>Operations</c> table of its <c>Operations/&lt;Area&gt;Operations.cs</c>); this class joins them.
/// Operations this service does not implement yet answer UnsupportedOperationException (they are real KMS operations,
/// so not UnknownOperationException); a meta-test keeps the table equal to the model's operation list.
/// </summary>
public static class OperationTable
{
    public delegate ValueTask<byte[]> Handler(KmsCall call);

    /// <summary>
    /// The operations that are implemented, each by its handler: the tables of the areas (each
    /// <c>Operations/&lt;Area&gt;Operations.cs</c> lists its own), joined. A name listed twice fails the type's start.
    /// </summary>
    public static readonly FrozenDictionary<string, Handler> Implemented = Join(
        KeyManagementOperations.Operations,
        KeyPolicyOperations.Operations,
        CryptoOperations.Operations,
        AsymmetricOperations.Operations,
        AliasOperations.Operations,
        TagOperations.Operations,
        RotationOperations.Operations,
        DeletionOperations.Operations,
        GrantOperations.Operations,
        ImportOperations.Operations,
        MultiRegionOperations.Operations,
        CustomKeyStoreOperations.Operations,
        KeyLastUsageOperations.Operations);

    /// <summary>Operations of the API model not implemented yet: those that no area's table lists.</summary>
    public static readonly FrozenSet<string> NotYetImplemented =
        ModelOperations().Except(Implemented.Keys, StringComparer.Ordinal).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True for every operation of the AWS KMS API model, implemented or not.</summary>
    public static bool IsModelOperation(string operation) => Implemented.ContainsKey(operation) || NotYetImplemented.Contains(operation);

    /// <summary>Every operation name of the model, each held once.</summary>
    private static readonly FrozenSet<string> ModelNames = Implemented.Keys.Concat(NotYetImplemented).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The table's own string for a model operation's name, or null for a name that is not one. What outlives a request
    /// (usage counters, request records) then holds one shared string per operation rather than the request's copy: a
    /// silo that served 200,000 keys held 400,000 copies of "CreateKey" and "Encrypt" otherwise.
    /// </summary>
    public static string? ModelName(string operation) => ModelNames.TryGetValue(operation, out var name) ? name : null;

    /// <summary>The handler for an operation name; UnknownOperationException for a name that is not a KMS operation.</summary>
    public static Handler Find(string operation)
    {
        if (Implemented.TryGetValue(operation, out var handler)) return handler;
        if (NotYetImplemented.Contains(operation))
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, $"{operation} is not supported by OrleansKms yet.");
        throw new KmsException(KmsErrorCode.UnknownOperationException, $"Operation {operation} is unknown.");
    }

    /// <summary>
    /// Every operation of the AWS KMS API model (<c>../shared/reference/kms-service-2.json</c>), implemented or not;
    /// it changes only when AWS adds an operation. ModelCoverageTests keeps it equal to the model.
    /// </summary>
    private static string[] ModelOperations() =>
    [
        "CancelKeyDeletion", "ConnectCustomKeyStore", "CreateAlias", "CreateCustomKeyStore", "CreateGrant", "CreateKey",
        "Decrypt", "DeleteAlias", "DeleteCustomKeyStore", "DeleteImportedKeyMaterial", "DeriveSharedSecret",
        "DescribeCustomKeyStores", "DescribeKey", "DisableKey", "DisableKeyRotation", "DisconnectCustomKeyStore",
        "EnableKey", "EnableKeyRotation", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac", "GenerateRandom",
        "GetKeyLastUsage", "GetKeyPolicy", "GetKeyRotationStatus", "GetParametersForImport", "GetPublicKey",
        "ImportKeyMaterial", "ListAliases", "ListGrants", "ListKeyPolicies", "ListKeyRotations", "ListKeys",
        "ListResourceTags", "ListRetirableGrants", "PutKeyPolicy", "ReEncrypt", "ReplicateKey", "RetireGrant",
        "RevokeGrant", "RotateKeyOnDemand", "ScheduleKeyDeletion", "Sign", "TagResource", "UntagResource",
        "UpdateAlias", "UpdateCustomKeyStore", "UpdateKeyDescription", "UpdatePrimaryRegion", "Verify", "VerifyMac",
    ];

    private static FrozenDictionary<string, Handler> Join(params (string Name, Handler Handler)[][] areas) =>
        areas.SelectMany(area => area).ToDictionary(o => o.Name, o => o.Handler, StringComparer.Ordinal).ToFrozenDictionary(StringComparer.Ordinal);
}
