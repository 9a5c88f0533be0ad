using System.Collections.Frozen;

namespace OrleansKms;

/// <summary>Who may grant a permission: the key policy (and grants), or only IAM (identity) policies.</summary>
public enum PermissionPolicyType
{
    /// <summary>The key policy may allow it (and, when the key policy lets IAM policies do so, an IAM policy).</summary>
    KeyPolicy,

    /// <summary>Only an IAM (identity) policy can allow it.</summary>
    IamPolicy,
}

/// <summary>The resource a permission is checked against.</summary>
public enum PermissionResource
{
    /// <summary>A KMS key (<c>arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID</c>).</summary>
    Key,

    /// <summary>An alias (<c>arn:PARTITION:kms:REGION:ACCOUNT:alias/NAME</c>).</summary>
    Alias,

    /// <summary>No particular resource: an IAM policy names it with <c>"Resource": "*"</c>.</summary>
    None,
}

/// <summary>
/// One permission an operation needs: the IAM action, where it is checked, whether a principal of another account may
/// be given it, and the condition keys AWS evaluates for it, spelt as AWS spells them. A key with a caller-chosen
/// suffix is written as its prefix: <c>kms:EncryptionContext:</c>, <c>aws:ResourceTag/</c>, <c>aws:RequestTag/</c>.
/// </summary>
public sealed record KmsPermission(
    string Action,
    PermissionPolicyType PolicyType,
    bool CrossAccount,
    PermissionResource Resource,
    IReadOnlyList<string> ConditionKeys)
{
    /// <summary>
    /// AWS KMS's rules for a key of another account, which decide before any policy is read: a permission that never
    /// crosses accounts is refused; an IAM-only permission needs an identity policy of the caller (even a root's).
    /// </summary>
    public CrossAccountRule AcrossAccounts(string callerAccount, string keyAccount, bool callerHasIdentityPolicies) =>
        string.Equals(callerAccount, keyAccount, StringComparison.Ordinal) ? CrossAccountRule.SameAccount
        : !CrossAccount ? CrossAccountRule.NeverAcrossAccounts
        : PolicyType == PermissionPolicyType.IamPolicy && !callerHasIdentityPolicies ? CrossAccountRule.NeedsIdentityPolicy
        : CrossAccountRule.PoliciesDecide;
}

/// <summary>What <see cref="KmsPermission.AcrossAccounts"/> says of a request.</summary>
public enum CrossAccountRule
{
    /// <summary>The key is the caller's account's: the policies decide.</summary>
    SameAccount,

    /// <summary>Another account's key, and the policies decide (both the key policy and the caller's identity policies).</summary>
    PoliciesDecide,

    /// <summary>Refused: AWS never gives this permission on another account's key.</summary>
    NeverAcrossAccounts,

    /// <summary>Refused: only an identity policy of the caller's account could give it, and the caller has none.</summary>
    NeedsIdentityPolicy,
}

/// <summary>
/// The permissions AWS KMS checks for each operation of its API, as the "AWS KMS permissions" table of the AWS KMS
/// Developer Guide (kms-api-permissions-reference) lists them, with the "AWS KMS condition keys" page
/// (conditions-kms) deciding which condition keys apply to which operation.
/// </summary>
/// <remarks>
/// Where an operation needs several permissions they are listed in this order: CreateAlias and DeleteAlias the alias,
/// then the key; UpdateAlias the alias, the key the alias points to now, then the key it will point to;
/// ReEncrypt the source key (<c>kms:ReEncryptFrom</c>), then the destination key (<c>kms:ReEncryptTo</c>);
/// UpdatePrimaryRegion the current primary key, then the replica key that becomes primary. CreateKey and ReplicateKey
/// list <c>kms:TagResource</c> last: it is needed only when the request has Tags.
/// </remarks>
public static class KmsPermissions
{
    /// <summary>
    /// "Conditions for KMS key operations": the keys AWS evaluates for every operation authorized for a particular KMS
    /// key (the table's Resources column says "KMS key").
    /// </summary>
    private static readonly IReadOnlyList<string> KeyOperation =
    [
        "kms:CallerAccount", "kms:KeySpec", "kms:KeyUsage", "kms:KeyOrigin", "kms:MultiRegion",
        "kms:MultiRegionKeyType", "kms:ResourceAliases", "aws:ResourceTag/", "kms:ViaService",
    ];

    /// <summary>"Encryption context conditions": CreateGrant, RetireGrant and the symmetric cryptographic operations.</summary>
    private static readonly IReadOnlyList<string> EncryptionContext = ["kms:EncryptionContext:", "kms:EncryptionContextKeys"];

    /// <summary>
    /// "Conditions for cryptographic operations" of the operations that encrypt or decrypt, with the encryption context
    /// conditions and the key-operation group: Encrypt, Decrypt, ReEncrypt and the GenerateDataKey family.
    /// </summary>
    private static readonly IReadOnlyList<string> Encryption =
        ["kms:EncryptionAlgorithm", "kms:RequestAlias", .. EncryptionContext, .. KeyOperation];

    /// <summary>Sign and Verify: "Conditions for signing and verification" with the key-operation group.</summary>
    private static readonly IReadOnlyList<string> Signing =
        ["kms:MessageType", "kms:RequestAlias", "kms:SigningAlgorithm", .. KeyOperation];

    /// <summary>GenerateMac and VerifyMac: the key-operation group with their cryptographic-operation conditions.</summary>
    private static readonly IReadOnlyList<string> Mac = [.. KeyOperation, "kms:MacAlgorithm", "kms:RequestAlias"];

    /// <summary>"Grant conditions" of CreateGrant.</summary>
    private static readonly IReadOnlyList<string> Grant =
    [
        "kms:GrantConstraintSourceArn", "kms:GrantConstraintType", "kms:GranteePrincipal", "kms:GranteeServicePrincipal",
        "kms:GrantIsForAWSResource", "kms:GrantOperations", "kms:RetiringPrincipal", "kms:RetiringServicePrincipal",
    ];

    /// <summary>"Conditions for tagging": the tags in the request (TagResource, UntagResource, CreateKey with Tags).</summary>
    private static readonly IReadOnlyList<string> Tagging = ["aws:RequestTag/", "aws:TagKeys"];

    /// <summary>
    /// CreateKey's row: the properties of the key being created, the lockout check, the tags; no
    /// <c>kms:ResourceAliases</c>, as a key being created has none.
    /// </summary>
    private static readonly IReadOnlyList<string> KeyCreation =
    [
        "kms:BypassPolicyLockoutSafetyCheck", "kms:CallerAccount", "kms:KeySpec", "kms:KeyUsage", "kms:KeyOrigin",
        "kms:MultiRegion", "kms:MultiRegionKeyType", "kms:ViaService", "aws:RequestTag/", "aws:ResourceTag/", "aws:TagKeys",
    ];

    /// <summary>The custom key store operations: IAM policy only, on "*", conditioned only on the caller's account.</summary>
    private static readonly IReadOnlyList<string> CustomKeyStore = ["kms:CallerAccount"];

    /// <summary>RetireGrant's row lists only these of the key-operation group.</summary>
    private static readonly IReadOnlyList<string> Retirement =
        [.. EncryptionContext, "kms:GrantConstraintType", "kms:CallerAccount", "kms:ResourceAliases", "aws:ResourceTag/", "kms:ViaService"];

    private static readonly IReadOnlyList<string> NoConditions = [];

    /// <summary>Every operation of the AWS KMS API model, by name, with the permissions AWS checks for it.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<KmsPermission>> ByOperation { get; } = Build();

    /// <summary>The permissions AWS checks for <paramref name="operation"/> (its model name, e.g. <c>Encrypt</c>).</summary>
    /// <exception cref="KeyNotFoundException">The name is not an operation of the AWS KMS API.</exception>
    public static IReadOnlyList<KmsPermission> For(string operation) =>
        ByOperation.TryGetValue(operation, out var permissions)
            ? permissions
            : throw new KeyNotFoundException($"'{operation}' is not an operation of the AWS KMS API.");

    private static KmsPermission OnKey(string action, bool crossAccount, IReadOnlyList<string> conditions) =>
        new("kms:" + action, PermissionPolicyType.KeyPolicy, crossAccount, PermissionResource.Key, conditions);

    private static KmsPermission Iam(string action, PermissionResource resource, IReadOnlyList<string> conditions, bool crossAccount = false) =>
        new("kms:" + action, PermissionPolicyType.IamPolicy, crossAccount, resource, conditions);

    /// <summary>A key-policy permission on a key whose conditions are the key-operation group and the operation's own.</summary>
    private static KmsPermission OnKeyWith(string action, bool crossAccount, params IReadOnlyList<string> extra) =>
        OnKey(action, crossAccount, [.. KeyOperation, .. extra]);

    private static FrozenDictionary<string, IReadOnlyList<KmsPermission>> Build()
    {
        const bool CrossAccount = true, OwnAccount = false;
        var table = new Dictionary<string, IReadOnlyList<KmsPermission>>
        {
            // Cryptographic operations.
            ["Encrypt"] = [OnKey("Encrypt", CrossAccount, Encryption)],
            ["Decrypt"] = [OnKey("Decrypt", CrossAccount, Encryption)],
            ["ReEncrypt"] =
            [
                OnKey("ReEncryptFrom", CrossAccount, [.. Encryption, "kms:ReEncryptOnSameKey"]),
                OnKey("ReEncryptTo", CrossAccount, [.. Encryption, "kms:ReEncryptOnSameKey"]),
            ],
            ["GenerateDataKey"] = [OnKey("GenerateDataKey", CrossAccount, Encryption)],
            ["GenerateDataKeyWithoutPlaintext"] = [OnKey("GenerateDataKeyWithoutPlaintext", CrossAccount, Encryption)],
            ["GenerateDataKeyPair"] = [OnKey("GenerateDataKeyPair", CrossAccount, ["kms:DataKeyPairSpec", .. Encryption])],
            ["GenerateDataKeyPairWithoutPlaintext"] =
                [OnKey("GenerateDataKeyPairWithoutPlaintext", CrossAccount, ["kms:DataKeyPairSpec", .. Encryption])],
            ["Sign"] = [OnKey("Sign", CrossAccount, Signing)],
            ["Verify"] = [OnKey("Verify", CrossAccount, Signing)],
            ["GenerateMac"] = [OnKey("GenerateMac", CrossAccount, Mac)],
            ["VerifyMac"] = [OnKey("VerifyMac", CrossAccount, Mac)],
            // The table names only kms:KeyAgreementAlgorithm; kms:RequestAlias is the condition-keys page's (a cryptographic operation).
            ["DeriveSharedSecret"] = [OnKeyWith("DeriveSharedSecret", CrossAccount, "kms:KeyAgreementAlgorithm", "kms:RequestAlias")],
            ["GenerateRandom"] = [Iam("GenerateRandom", PermissionResource.None, NoConditions)],

            // Reading a key.
            ["DescribeKey"] = [OnKeyWith("DescribeKey", CrossAccount, "kms:RequestAlias")],
            ["GetPublicKey"] = [OnKeyWith("GetPublicKey", CrossAccount, "kms:RequestAlias")],
            ["GetKeyPolicy"] = [OnKeyWith("GetKeyPolicy", OwnAccount)],
            ["ListKeyPolicies"] = [OnKeyWith("ListKeyPolicies", OwnAccount)],
            ["GetKeyRotationStatus"] = [OnKeyWith("GetKeyRotationStatus", CrossAccount)],
            ["ListKeyRotations"] = [OnKeyWith("ListKeyRotations", OwnAccount)],
            ["ListResourceTags"] = [OnKeyWith("ListResourceTags", OwnAccount)],
            ["GetKeyLastUsage"] = [OnKeyWith("GetKeyLastUsage", OwnAccount)],
            ["ListKeys"] = [Iam("ListKeys", PermissionResource.None, NoConditions)],
            ["ListAliases"] = [Iam("ListAliases", PermissionResource.None, NoConditions)],

            // Creating and managing keys.
            ["CreateKey"] =
            [
                Iam("CreateKey", PermissionResource.None, KeyCreation),
                Iam("TagResource", PermissionResource.None, Tagging),
            ],
            ["ReplicateKey"] =
            [
                OnKeyWith("ReplicateKey", OwnAccount, "kms:ReplicaRegion"),
                Iam("CreateKey", PermissionResource.None, KeyCreation),
                Iam("TagResource", PermissionResource.None, Tagging),
            ],
            ["UpdatePrimaryRegion"] =
            [
                OnKeyWith("UpdatePrimaryRegion", OwnAccount, "kms:PrimaryRegion"),
                OnKeyWith("UpdatePrimaryRegion", OwnAccount, "kms:PrimaryRegion"),
            ],
            ["UpdateKeyDescription"] = [OnKeyWith("UpdateKeyDescription", OwnAccount)],
            ["PutKeyPolicy"] = [OnKeyWith("PutKeyPolicy", OwnAccount, "kms:BypassPolicyLockoutSafetyCheck")],
            ["EnableKey"] = [OnKeyWith("EnableKey", OwnAccount)],
            ["DisableKey"] = [OnKeyWith("DisableKey", OwnAccount, "kms:TrailingDaysWithoutKeyUsage")],
            ["EnableKeyRotation"] = [OnKeyWith("EnableKeyRotation", OwnAccount, "kms:RotationPeriodInDays")],
            ["DisableKeyRotation"] = [OnKeyWith("DisableKeyRotation", OwnAccount)],
            ["RotateKeyOnDemand"] = [OnKeyWith("RotateKeyOnDemand", OwnAccount)],
            // The table's row omits kms:ScheduleKeyDeletionPendingWindowInDays; the condition-keys page names this operation.
            ["ScheduleKeyDeletion"] =
                [OnKeyWith("ScheduleKeyDeletion", OwnAccount, "kms:TrailingDaysWithoutKeyUsage", "kms:ScheduleKeyDeletionPendingWindowInDays")],
            ["CancelKeyDeletion"] = [OnKeyWith("CancelKeyDeletion", OwnAccount)],
            ["TagResource"] = [OnKey("TagResource", OwnAccount, [.. KeyOperation, .. Tagging])],
            ["UntagResource"] = [OnKey("UntagResource", OwnAccount, [.. KeyOperation, .. Tagging])],

            // Imported key material.
            ["GetParametersForImport"] = [OnKeyWith("GetParametersForImport", OwnAccount, "kms:WrappingAlgorithm", "kms:WrappingKeySpec")],
            ["ImportKeyMaterial"] = [OnKeyWith("ImportKeyMaterial", OwnAccount, "kms:ExpirationModel", "kms:ValidTo")],
            ["DeleteImportedKeyMaterial"] = [OnKeyWith("DeleteImportedKeyMaterial", OwnAccount)],

            // Aliases: the alias in an IAM policy (no condition keys), the key in its key policy.
            ["CreateAlias"] = [Iam("CreateAlias", PermissionResource.Alias, NoConditions), OnKeyWith("CreateAlias", OwnAccount)],
            ["DeleteAlias"] = [Iam("DeleteAlias", PermissionResource.Alias, NoConditions), OnKeyWith("DeleteAlias", OwnAccount)],
            ["UpdateAlias"] =
            [
                Iam("UpdateAlias", PermissionResource.Alias, NoConditions),
                OnKeyWith("UpdateAlias", OwnAccount),
                OnKeyWith("UpdateAlias", OwnAccount),
            ],

            // Grants. RetireGrant is decided mainly by the grant; a key policy cannot allow it, an IAM policy can.
            ["CreateGrant"] = [OnKey("CreateGrant", CrossAccount, [.. EncryptionContext, .. Grant, .. KeyOperation])],
            ["ListGrants"] = [OnKeyWith("ListGrants", CrossAccount, "kms:GrantIsForAWSResource")],
            ["RevokeGrant"] = [OnKeyWith("RevokeGrant", CrossAccount, "kms:GrantIsForAWSResource")],
            ["RetireGrant"] = [Iam("RetireGrant", PermissionResource.Key, Retirement, CrossAccount)],
            // The retiring principal must be in the caller's account (grants of any account are returned).
            ["ListRetirableGrants"] = [Iam("ListRetirableGrants", PermissionResource.None, NoConditions)],

            // Custom key stores.
            ["CreateCustomKeyStore"] = [Iam("CreateCustomKeyStore", PermissionResource.None, CustomKeyStore)],
            ["ConnectCustomKeyStore"] = [Iam("ConnectCustomKeyStore", PermissionResource.None, CustomKeyStore)],
            ["DescribeCustomKeyStores"] = [Iam("DescribeCustomKeyStores", PermissionResource.None, CustomKeyStore)],
            ["DisconnectCustomKeyStore"] = [Iam("DisconnectCustomKeyStore", PermissionResource.None, CustomKeyStore)],
            ["UpdateCustomKeyStore"] = [Iam("UpdateCustomKeyStore", PermissionResource.None, CustomKeyStore)],
            ["DeleteCustomKeyStore"] = [Iam("DeleteCustomKeyStore", PermissionResource.None, CustomKeyStore)],
        };
        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
