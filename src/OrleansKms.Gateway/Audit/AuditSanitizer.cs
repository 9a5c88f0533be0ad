using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansKms.Gateway.Audit;

/// <summary>
/// What of a KMS request and answer goes into an audit record, as CloudTrail records KMS calls: an allow-list of
/// request members per operation (<c>requestParameters</c>) and of answer members (<c>responseElements</c>), with
/// CloudTrail's lower-camel-case member names. Anything not listed is dropped, so a new wire member is never recorded
/// until someone decides it may be. Never listed: Plaintext, CiphertextBlob, data keys and private keys, signatures
/// and messages, MACs, KeyStorePassword, XksProxyAuthenticationCredential, ImportToken, EncryptedKeyMaterial, grant
/// tokens, Recipient attestation documents, and DeriveSharedSecret's PublicKey (not secret, but it identifies the
/// peer and CloudTrail does not record it: keyId and keyAgreementAlgorithm say what was done).
/// Encryption contexts are recorded (AWS does: they are not secret), their keys and values verbatim.
/// </summary>
public static class AuditSanitizer
{
    private static readonly string[] Crypto = ["KeyId", "EncryptionContext", "EncryptionAlgorithm", "DryRun"];
    private static readonly string[] KeyOnly = ["KeyId"];
    private static readonly string[] DataKey = ["KeyId", "KeySpec", "NumberOfBytes", "EncryptionContext", "DryRun"];
    private static readonly string[] DataKeyPair = ["KeyId", "KeyPairSpec", "EncryptionContext", "DryRun"];
    private static readonly string[] Signing = ["KeyId", "MessageType", "SigningAlgorithm", "DryRun"];
    private static readonly string[] Mac = ["KeyId", "MacAlgorithm", "DryRun"];
    private static readonly string[] StoreId = ["CustomKeyStoreId"];
    private static readonly string[] KeyStoreSettings =
    [
        "CustomKeyStoreId", "CustomKeyStoreName", "NewCustomKeyStoreName", "CloudHsmClusterId", "CustomKeyStoreType",
        "XksProxyUriEndpoint", "XksProxyUriPath", "XksProxyVpcEndpointServiceName", "XksProxyConnectivity",
    ];

    /// <summary>The request members kept, per operation. An operation missing here keeps only KeyId.</summary>
    public static readonly FrozenDictionary<string, string[]> RequestMembers = new Dictionary<string, string[]>
    {
        ["Encrypt"] = Crypto,
        ["Decrypt"] = Crypto,
        ["ReEncrypt"] =
        [
            "SourceKeyId", "DestinationKeyId", "SourceEncryptionContext", "DestinationEncryptionContext",
            "SourceEncryptionAlgorithm", "DestinationEncryptionAlgorithm", "DryRun",
        ],
        ["GenerateDataKey"] = DataKey,
        ["GenerateDataKeyWithoutPlaintext"] = DataKey,
        ["GenerateDataKeyPair"] = DataKeyPair,
        ["GenerateDataKeyPairWithoutPlaintext"] = DataKeyPair,
        ["Sign"] = Signing,
        ["Verify"] = Signing,
        ["GenerateMac"] = Mac,
        ["VerifyMac"] = Mac,
        ["GenerateRandom"] = ["NumberOfBytes", "CustomKeyStoreId"],
        ["DeriveSharedSecret"] = ["KeyId", "KeyAgreementAlgorithm", "DryRun"],
        ["CreateKey"] =
        [
            "Description", "KeyUsage", "KeySpec", "CustomerMasterKeySpec", "Origin", "CustomKeyStoreId", "XksKeyId",
            "BypassPolicyLockoutSafetyCheck", "Tags", "MultiRegion", "Policy",
        ],
        ["ReplicateKey"] = ["KeyId", "ReplicaRegion", "Description", "Tags", "Policy", "BypassPolicyLockoutSafetyCheck"],
        ["UpdatePrimaryRegion"] = ["KeyId", "PrimaryRegion"],
        ["PutKeyPolicy"] = ["KeyId", "PolicyName", "Policy", "BypassPolicyLockoutSafetyCheck"],
        ["GetKeyPolicy"] = ["KeyId", "PolicyName"],
        ["ListKeyPolicies"] = ["KeyId", "Limit"],
        ["ScheduleKeyDeletion"] = ["KeyId", "PendingWindowInDays"],
        ["EnableKeyRotation"] = ["KeyId", "RotationPeriodInDays"],
        ["ListKeyRotations"] = ["KeyId", "Limit", "IncludeKeyMaterial"],
        ["UpdateKeyDescription"] = ["KeyId", "Description"],
        ["TagResource"] = ["KeyId", "Tags"],
        ["UntagResource"] = ["KeyId", "TagKeys"],
        ["ListResourceTags"] = ["KeyId", "Limit"],
        ["ListKeys"] = ["Limit"],
        ["ListAliases"] = ["KeyId", "Limit"],
        ["CreateAlias"] = ["AliasName", "TargetKeyId"],
        ["UpdateAlias"] = ["AliasName", "TargetKeyId"],
        ["DeleteAlias"] = ["AliasName"],
        ["CreateGrant"] = ["KeyId", "GranteePrincipal", "RetiringPrincipal", "Operations", "Constraints", "Name", "DryRun"],
        ["ListGrants"] = ["KeyId", "GrantId", "GranteePrincipal", "Limit"],
        ["ListRetirableGrants"] = ["RetiringPrincipal", "Limit"],
        ["RetireGrant"] = ["KeyId", "GrantId", "DryRun"],
        ["RevokeGrant"] = ["KeyId", "GrantId", "DryRun"],
        ["GetParametersForImport"] = ["KeyId", "WrappingAlgorithm", "WrappingKeySpec"],
        ["ImportKeyMaterial"] = ["KeyId", "ValidTo", "ExpirationModel", "ImportType", "KeyMaterialDescription", "KeyMaterialId"],
        ["DeleteImportedKeyMaterial"] = ["KeyId", "KeyMaterialId"],
        ["CreateCustomKeyStore"] = KeyStoreSettings,
        ["UpdateCustomKeyStore"] = KeyStoreSettings,
        ["DeleteCustomKeyStore"] = StoreId,
        ["ConnectCustomKeyStore"] = StoreId,
        ["DisconnectCustomKeyStore"] = StoreId,
        ["DescribeCustomKeyStores"] = ["CustomKeyStoreId", "CustomKeyStoreName", "Limit"],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The answer members kept (CloudTrail's responseElements); every other operation records null.</summary>
    public static readonly FrozenDictionary<string, string[]> ResponseMembers = new Dictionary<string, string[]>
    {
        ["CreateKey"] = ["KeyMetadata"],
        ["ReplicateKey"] = ["ReplicaKeyMetadata"],
        ["CreateGrant"] = ["GrantId"],
        ["CreateCustomKeyStore"] = ["CustomKeyStoreId"],
        ["ScheduleKeyDeletion"] = ["KeyId", "DeletionDate", "KeyState", "PendingWindowInDays"],
        ["RotateKeyOnDemand"] = ["KeyId"],
        ["ImportKeyMaterial"] = ["KeyId", "KeyMaterialId"],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The request's recordable members, or null when none (or the body is not a JSON object).</summary>
    public static JsonObject? RequestParameters(string operation, JsonElement? request) =>
        Keep(request, RequestMembers.TryGetValue(operation, out var members) ? members : KeyOnly);

    /// <summary>The answer's recordable members, or null (CloudTrail's null responseElements of most KMS calls).</summary>
    public static JsonObject? ResponseElements(string operation, JsonElement? response) =>
        ResponseMembers.TryGetValue(operation, out var members) ? Keep(response, members) : null;

    private static JsonObject? Keep(JsonElement? body, string[] members)
    {
        if (body is not { ValueKind: JsonValueKind.Object } element) return null;
        JsonObject? kept = null;
        foreach (var member in members)
        {
            if (!element.TryGetProperty(member, out var value)) continue;
            kept ??= [];
            kept[Camel(member)] = Verbatim(member) ? JsonNode.Parse(value.GetRawText()) : CamelCased(value);
        }

        return kept;
    }

    /// <summary>Encryption contexts and policies are the caller's own data: their member names stay as written.</summary>
    private static bool Verbatim(string member) =>
        member.Contains("EncryptionContext", StringComparison.Ordinal) || member == "Policy";

    private static JsonNode? CamelCased(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var property in value.EnumerateObject())
                    obj[Camel(property.Name)] = Verbatim(property.Name) ? JsonNode.Parse(property.Value.GetRawText()) : CamelCased(property.Value);
                return obj;
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (var item in value.EnumerateArray()) array.Add(CamelCased(item));
                return array;
            default:
                return JsonNode.Parse(value.GetRawText());
        }
    }

    /// <summary>CloudTrail's member names: <c>KeyId</c> becomes <c>keyId</c>, <c>XksKeyId</c> <c>xksKeyId</c>.</summary>
    public static string Camel(string name) => name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
