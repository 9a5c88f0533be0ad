using System.Buffers;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Text;
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
    /// <summary>What an operation without its own allow-list records: its KeyId.</summary>
    public static readonly string[] KeyOnlyMembers = ["KeyId"];
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

    /// <summary>The request's recordable members, or null when none (or the body is not a JSON object). For tests and tools; the audit writer streams (<see cref="WriteMembers"/>).</summary>
    public static JsonObject? RequestParameters(string operation, ReadOnlySpan<byte> request) =>
        Kept(RequestMembers.TryGetValue(operation, out var members) ? members : KeyOnlyMembers, request);

    /// <summary>The answer's recordable members, or null (CloudTrail's null responseElements of most KMS calls).</summary>
    public static JsonObject? ResponseElements(string operation, ReadOnlySpan<byte> response) =>
        ResponseMembers.TryGetValue(operation, out var members) ? Kept(members, response) : null;

    private static JsonObject? Kept(string[] members, ReadOnlySpan<byte> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            WriteMembers(writer, "kept"u8, members, body, null);
            writer.WriteEndObject();
        }

        return JsonNode.Parse(buffer.WrittenSpan)!["kept"] as JsonObject;
    }

    /// <summary>
    /// Writes <paramref name="property"/>: an object of the <paramref name="members"/> of the JSON object
    /// <paramref name="body"/> (camel-cased names, values copied; encryption contexts and policies verbatim), or null
    /// when it has none of them or is empty. One pass of a reader, no document built. A member that appears twice is
    /// recorded once. <paramref name="keyIds"/>, when given, collects the string values of the members named in
    /// <see cref="KeyMembers"/>, recorded or not. Throws <see cref="JsonException"/> on a malformed body (the
    /// writer is then mid-object: the caller starts the record again without bodies).
    /// </summary>
    public static void WriteMembers(Utf8JsonWriter writer, ReadOnlySpan<byte> property, string[] members, ReadOnlySpan<byte> body, List<string>? keyIds)
    {
        var started = false;
        if (!body.IsEmpty)
        {
            var reader = new Utf8JsonReader(body);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                var names = Utf8Names(members);
                ulong written = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var index = -1;
                    for (var i = 0; i < names.Length; i++)
                    {
                        if (reader.ValueTextEquals(names[i].Name))
                        {
                            index = i;
                            break;
                        }
                    }

                    var isKey = keyIds is not null && IsKeyMember(ref reader);
                    reader.Read();
                    if (isKey && reader.TokenType == JsonTokenType.String && KeyText(ref reader) is { Length: > 0 } key) keyIds!.Add(key);
                    if (index < 0 || (written & (1UL << index)) != 0)
                    {
                        reader.Skip();
                        continue;
                    }

                    written |= 1UL << index;
                    if (!started)
                    {
                        writer.WritePropertyName(property);
                        writer.WriteStartObject();
                        started = true;
                    }

                    writer.WritePropertyName(names[index].Camel);
                    Copy(ref reader, writer, camel: !Verbatim(members[index]));
                }
            }
        }

        if (started) writer.WriteEndObject();
        else writer.WriteNull(property);
    }

    /// <summary>A key member's text: interned when it needs no unescaping (key ids and ARNs repeat from request to request).</summary>
    private static string KeyText(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped || reader.HasValueSequence ? reader.GetString()! : AnswerMembers.Interned(reader.ValueSpan);

    /// <summary>Request members that name a key: the record's resources come from them.</summary>
    public static readonly string[] KeyMembers = ["KeyId", "SourceKeyId", "DestinationKeyId", "TargetKeyId"];

    private static bool IsKeyMember(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("KeyId"u8) || reader.ValueTextEquals("SourceKeyId"u8) ||
        reader.ValueTextEquals("DestinationKeyId"u8) || reader.ValueTextEquals("TargetKeyId"u8);

    private static readonly ConditionalWeakTable<string[], (byte[] Name, JsonEncodedText Camel)[]> Names = new();

    private static (byte[] Name, JsonEncodedText Camel)[] Utf8Names(string[] members) =>
        Names.GetValue(members, m => [.. m.Select(n => (Encoding.UTF8.GetBytes(n), JsonEncodedText.Encode(Camel(n))))]);

    /// <summary>Copies the value the reader is on; with <paramref name="camel"/>, object member names are camel-cased (not inside encryption contexts and policies).</summary>
    private static void Copy(ref Utf8JsonReader reader, Utf8JsonWriter writer, bool camel)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                writer.WriteStartObject();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    var verbatim = !camel || Verbatim(name);
                    writer.WritePropertyName(camel ? Camel(name) : name);
                    reader.Read();
                    Copy(ref reader, writer, !verbatim);
                }

                writer.WriteEndObject();
                break;
            case JsonTokenType.StartArray:
                writer.WriteStartArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) Copy(ref reader, writer, camel);
                writer.WriteEndArray();
                break;
            case JsonTokenType.String:
                if (reader.ValueIsEscaped) writer.WriteStringValue(reader.GetString());
                else writer.WriteStringValue(reader.ValueSpan);
                break;
            case JsonTokenType.Number:
                writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                break;
            case JsonTokenType.True:
            case JsonTokenType.False:
                writer.WriteBooleanValue(reader.TokenType == JsonTokenType.True);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>Encryption contexts and policies are the caller's own data: their member names stay as written.</summary>
    private static bool Verbatim(string member) =>
        member.Contains("EncryptionContext", StringComparison.Ordinal) || member == "Policy";

    /// <summary>CloudTrail's member names: <c>KeyId</c> becomes <c>keyId</c>, <c>XksKeyId</c> <c>xksKeyId</c>.</summary>
    public static string Camel(string name) => name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
