using System.Collections.Frozen;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>
/// The dispatch table: every operation of the AWS KMS API model, by name, to its handler. Operations this service
/// does not implement yet answer UnsupportedOperationException (they are real KMS operations, so not
/// UnknownOperationException); a meta-test keeps this table equal to the model's operation list.
/// </summary>
public static class OperationTable
{
    public delegate ValueTask<byte[]> Handler(KmsCall call);

    /// <summary>The operations that are implemented, each by its handler.</summary>
    public static readonly FrozenDictionary<string, Handler> Implemented = new Dictionary<string, Handler>
    {
        ["CreateKey"] = CreateKey.Handle,
        ["DescribeKey"] = DescribeKey.Handle,
        ["ListKeys"] = ListKeys.Handle,
        ["EnableKey"] = EnableKey.Handle,
        ["DisableKey"] = DisableKey.Handle,
        ["UpdateKeyDescription"] = UpdateKeyDescription.Handle,
        ["Encrypt"] = Encrypt.Handle,
        ["Decrypt"] = Decrypt.Handle,
        ["ReEncrypt"] = ReEncrypt.Handle,
        ["GenerateDataKey"] = GenerateDataKey.Handle,
        ["GenerateDataKeyWithoutPlaintext"] = GenerateDataKey.HandleWithoutPlaintext,
        ["GenerateRandom"] = GenerateRandom.Handle,
        ["CreateAlias"] = Aliases.Create,
        ["UpdateAlias"] = Aliases.Update,
        ["DeleteAlias"] = Aliases.Delete,
        ["ListAliases"] = Aliases.List,
        ["TagResource"] = TagResources.Tag,
        ["UntagResource"] = TagResources.Untag,
        ["ListResourceTags"] = TagResources.List,
        ["EnableKeyRotation"] = Rotation.Enable,
        ["DisableKeyRotation"] = Rotation.Disable,
        ["GetKeyRotationStatus"] = Rotation.Status,
        ["RotateKeyOnDemand"] = Rotation.OnDemand,
        ["ListKeyRotations"] = Rotation.List,
        ["ScheduleKeyDeletion"] = Deletion.Schedule,
        ["CancelKeyDeletion"] = Deletion.Cancel,
        ["Sign"] = Signing.Sign,
        ["Verify"] = Signing.Verify,
        ["GenerateMac"] = Macs.Generate,
        ["VerifyMac"] = Macs.Verify,
        ["DeriveSharedSecret"] = KeyPairs.DeriveSharedSecret,
        ["GetPublicKey"] = KeyPairs.GetPublicKey,
        ["GenerateDataKeyPair"] = KeyPairs.GenerateDataKeyPair,
        ["GenerateDataKeyPairWithoutPlaintext"] = KeyPairs.GenerateDataKeyPairWithoutPlaintext,
        ["GetKeyPolicy"] = KeyPolicyOperations.Get,
        ["PutKeyPolicy"] = KeyPolicyOperations.Put,
        ["ListKeyPolicies"] = KeyPolicyOperations.List,
        ["CreateGrant"] = GrantOperations.Create,
        ["ListGrants"] = GrantOperations.List,
        ["ListRetirableGrants"] = GrantOperations.ListRetirable,
        ["RetireGrant"] = GrantOperations.Retire,
        ["RevokeGrant"] = GrantOperations.Revoke,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Operations of the API model still to come, each with the issue area that brings it.</summary>
    public static readonly FrozenSet<string> NotYetImplemented = new[]
    {
        "ConnectCustomKeyStore", "CreateCustomKeyStore", "DeleteCustomKeyStore",
        "DeleteImportedKeyMaterial", "DescribeCustomKeyStores", "DisconnectCustomKeyStore", "GetKeyLastUsage",
        "GetParametersForImport", "ImportKeyMaterial", "ReplicateKey",
        "UpdateCustomKeyStore", "UpdatePrimaryRegion",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True for every operation of the AWS KMS API model, implemented or not.</summary>
    public static bool IsModelOperation(string operation) => Implemented.ContainsKey(operation) || NotYetImplemented.Contains(operation);

    /// <summary>The handler for an operation name; UnknownOperationException for a name that is not a KMS operation.</summary>
    public static Handler Find(string operation)
    {
        if (Implemented.TryGetValue(operation, out var handler)) return handler;
        if (NotYetImplemented.Contains(operation))
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, $"{operation} is not supported by OrleansKms yet.");
        throw new KmsException(KmsErrorCode.UnknownOperationException, $"Operation {operation} is unknown.");
    }
}
