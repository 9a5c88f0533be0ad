using System.Buffers;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using OrleansKms.Gateway.Auth;

namespace OrleansKms.Gateway.Audit;

/// <summary>
/// Turns a <see cref="KmsRequestRecord"/> into a CloudTrail event (eventVersion 1.08, eventSource kms.amazonaws.com,
/// eventType AwsApiCall, Management): userIdentity from the caller (Root, IAMUser, AssumedRole with its
/// sessionContext; <c>Unknown</c> with the claimed access key when authentication failed), requestParameters and
/// responseElements through <see cref="AuditSanitizer"/>, resources the key ARNs the call named or the answer gave.
/// errorCode is the AWS error code the caller got (e.g. AccessDeniedException).
/// <para>
/// It runs for every request, so it writes the event with one <see cref="Utf8JsonWriter"/> pass and reads the
/// request and answer with a reader (no document, no node tree); a caller's userIdentity is serialized once per
/// identity. Not thread-safe per instance on its buffer: each thread gets its own.
/// </para>
/// </summary>
public sealed class AuditRecordBuilder(IdentityStore identities, string defaultRegion)
{
    public const string EventVersion = "1.08";
    public const string EventSource = "kms.amazonaws.com";

    private static readonly string[] Writes =
    [
        "Create", "Update", "Delete", "Put", "Enable", "Disable", "Schedule", "Cancel", "Tag", "Untag", "Import",
        "Replicate", "Rotate", "Retire", "Revoke", "Connect", "Disconnect",
    ];

    private static readonly FrozenDictionary<string, bool> ReadOnlyByOperation = Operations.OperationTable.Implemented.Keys
        .ToFrozenDictionary(o => o, IsReadOnly, StringComparer.Ordinal);

    private static readonly ConditionalWeakTable<KmsIdentity, byte[]> UserIdentities = new();

    /// <summary>Operations whose answer is one flat object naming its key in KeyId (and ReEncrypt's SourceKeyId).</summary>
    private static readonly FrozenSet<string> FlatAnswers = new[]
    {
        "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", "GenerateMac", "VerifyMac", "Sign", "Verify", "DeriveSharedSecret",
    }.ToFrozenSet(StringComparer.Ordinal);

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    [ThreadStatic] private static List<string>? t_resources;
    [ThreadStatic] private static RepeatedTexts? t_texts;
    [ThreadStatic] private static List<string>? t_requestKeys;

    /// <summary>The record of one request; <paramref name="target"/> is the X-Amz-Target of one refused before its operation was read.</summary>
    public AuditEntry Build(KmsRequestRecord record, long sequence, string? target = null) => BuildRecord(record, sequence, target).ToEntry();

    /// <summary>The record of something the service did on its own (see <see cref="BuildRecord(KmsServiceEvent, long)"/>).</summary>
    public AuditEntry Build(KmsServiceEvent serviceEvent, long sequence) => BuildRecord(serviceEvent, sequence).ToEntry();

    /// <summary>
    /// The record of one request, its event in this thread's buffer (valid until the thread's next build): what the
    /// writer adds to its batch without a copy. <paramref name="target"/> as in <see cref="Build(KmsRequestRecord, long, string?)"/>.
    /// </summary>
    public BuiltAuditRecord BuildRecord(KmsRequestRecord record, long sequence, string? target = null)
    {
        var operation = Operation(record.Operation, target ?? record.Target);
        // The Region a refused request claimed is the caller's text: a name no Region has is recorded in the gateway's
        // home Region (where AWS records a call is the endpoint's Region), so it never becomes a file or blob name.
        var region = AwsRegions.IsKnown(record.Region) ? record.Region! : defaultRegion;
        var identity = record.Identity;
        // A refused signature still names an access key: the account it belongs to sees the attempt.
        KmsIdentity? claimed = identity is null && record.AccessKeyId is { } id && identities.TryGet(id, out var known) ? known : null;
        var account = identity?.AccountId ?? claimed?.AccountId;
        var eventId = record.EventId ?? RequestIds.New();
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(2048);
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        List<string> resources;
        try
        {
            resources = Write(writer, buffer, record, operation, region, identity, claimed, account, eventId, bodies: true);
        }
        catch (JsonException)
        {
            // A body that is not JSON (the caller got a SerializationException): recorded without its parameters.
            resources = Write(writer, buffer, record, operation, region, identity, claimed, account, eventId, bodies: false);
        }

        return new BuiltAuditRecord(region, account, record.Time, sequence, eventId, operation,
            identity?.PrincipalArn, record.AccessKeyId, resources, buffer.WrittenSpan);
    }

    /// <summary>
    /// The record of something the service did on its own: eventType AwsServiceEvent, userIdentity the key's account
    /// invoked by the service ("AWS Internal", as CloudTrail writes it), no requestID, requestParameters and
    /// responseElements null, the key as the one resource, and the event's details as serviceEventDetails.
    /// </summary>
    public BuiltAuditRecord BuildRecord(KmsServiceEvent serviceEvent, long sequence)
    {
        var key = serviceEvent.Key;
        var eventId = RequestIds.New();
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(2048);
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("eventVersion"u8, EventVersion);
        writer.WriteStartObject("userIdentity"u8);
        writer.WriteString("accountId"u8, key.AccountId);
        writer.WriteString("invokedBy"u8, ServiceInvoker);
        writer.WriteEndObject();
        writer.WriteString("eventTime"u8, serviceEvent.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteString("eventSource"u8, EventSource);
        writer.WriteString("eventName"u8, serviceEvent.EventName);
        writer.WriteString("awsRegion"u8, key.Region);
        writer.WriteString("sourceIPAddress"u8, ServiceInvoker);
        writer.WriteString("userAgent"u8, ServiceInvoker);
        writer.WriteNull("requestParameters"u8);
        writer.WriteNull("responseElements"u8);
        writer.WriteString("eventID"u8, eventId);
        writer.WriteBoolean("readOnly"u8, false);
        writer.WriteStartArray("resources"u8);
        writer.WriteStartObject();
        writer.WriteString("accountId"u8, key.AccountId);
        writer.WriteString("type"u8, "AWS::KMS::Key"u8);
        writer.WriteString("ARN"u8, key.Value);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteString("eventType"u8, "AwsServiceEvent"u8);
        writer.WriteBoolean("managementEvent"u8, true);
        writer.WriteString("recipientAccountId"u8, key.AccountId);
        if (serviceEvent.Details.Count > 0)
        {
            writer.WriteStartObject("serviceEventDetails"u8);
            foreach (var (name, value) in serviceEvent.Details) writer.WriteString(name, value);
            writer.WriteEndObject();
        }

        writer.WriteString("eventCategory"u8, "Management"u8);
        writer.WriteEndObject();
        writer.Flush();
        return new BuiltAuditRecord(key.Region, key.AccountId, serviceEvent.Time, sequence, eventId, serviceEvent.EventName,
            null, null, [key.Value], buffer.WrittenSpan);
    }

    /// <summary>Who CloudTrail says acted when the service acted on its own.</summary>
    public const string ServiceInvoker = "AWS Internal";

    private static List<string> Write(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer, KmsRequestRecord record, string operation, string region,
        KmsIdentity? identity, KmsIdentity? claimed, string? account, string eventId, bool bodies)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        var requestKeys = t_requestKeys ??= new List<string>(2);
        requestKeys.Clear();
        writer.WriteStartObject();
        writer.WriteString("eventVersion"u8, EventVersion);
        writer.WritePropertyName("userIdentity"u8);
        if (identity is not null) writer.WriteRawValue(UserIdentities.GetValue(identity, UserIdentity), skipInputValidation: true);
        else WriteUnknown(writer, record.AccessKeyId, claimed);
        var texts = t_texts ??= new RepeatedTexts();
        writer.WriteString("eventTime"u8, texts.TimeOf(record.Time));
        writer.WriteString("eventSource"u8, EventSource);
        writer.WriteString("eventName"u8, operation);
        writer.WriteString("awsRegion"u8, region);
        WriteText(writer, "sourceIPAddress"u8, record.SourceIp, ref texts.SourceIp, ref texts.SourceIpUtf8);
        WriteText(writer, "userAgent"u8, record.UserAgent, ref texts.UserAgent, ref texts.UserAgentUtf8);
        if (record.ErrorCode is not null)
        {
            writer.WriteString("errorCode"u8, record.ErrorCode);
            writer.WriteString("errorMessage"u8, record.ErrorMessage);
        }

        var requestMembers = AuditSanitizer.RequestMembers.TryGetValue(operation, out var members) ? members : AuditSanitizer.KeyOnlyMembers;
        AuditSanitizer.WriteMembers(writer, "requestParameters"u8, requestMembers, bodies ? record.RequestBody.Span : default, requestKeys);
        if (record.Succeeded && bodies && record.ResponseBody is { } answer && AuditSanitizer.ResponseMembers.TryGetValue(operation, out var kept))
            AuditSanitizer.WriteMembers(writer, "responseElements"u8, kept, answer, null);
        else
            writer.WriteNull("responseElements"u8);
        writer.WriteString("requestID"u8, record.RequestId);
        writer.WriteString("eventID"u8, eventId);
        writer.WriteBoolean("readOnly"u8, ReadOnlyByOperation.TryGetValue(operation, out var readOnly) ? readOnly : IsReadOnly(operation));
        var resources = Resources(bodies && record.Succeeded ? record : null, requestKeys, region, account);
        writer.WriteStartArray("resources"u8);
        foreach (var arn in resources)
        {
            writer.WriteStartObject();
            writer.WriteString("accountId"u8, account);
            writer.WriteString("type"u8, "AWS::KMS::Key"u8);
            writer.WriteString("ARN"u8, arn);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("eventType"u8, "AwsApiCall"u8);
        writer.WriteBoolean("managementEvent"u8, true);
        writer.WriteString("recipientAccountId"u8, account);
        writer.WriteString("eventCategory"u8, "Management"u8);
        writer.WriteEndObject();
        writer.Flush();
        return resources;
    }

    /// <summary>
    /// Texts that repeat from one record to the next on a thread (the time to the second, the caller's address and
    /// user agent), kept in UTF-8 from the last record: most records copy these bytes instead of formatting or
    /// transcoding them again.
    /// </summary>
    private sealed class RepeatedTexts
    {
        private readonly byte[] _time = new byte[20];
        private long _second = long.MinValue;
        public string? SourceIp;
        public byte[] SourceIpUtf8 = [];
        public string? UserAgent;
        public byte[] UserAgentUtf8 = [];

        public ReadOnlySpan<byte> TimeOf(DateTimeOffset time)
        {
            var second = time.UtcTicks / TimeSpan.TicksPerSecond;
            if (second != _second)
            {
                time.UtcDateTime.TryFormat(_time, out _, "yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
                _second = second;
            }

            return _time;
        }
    }

    private static void WriteText(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? text, ref string? last, ref byte[] utf8)
    {
        if (text is null)
        {
            writer.WriteNull(name);
            return;
        }

        if (!ReferenceEquals(text, last) && !string.Equals(text, last, StringComparison.Ordinal))
        {
            utf8 = Encoding.UTF8.GetBytes(text);
            last = text;
        }

        writer.WriteString(name, utf8);
    }

    private static bool IsReadOnly(string operation) => !Writes.Any(w => operation.StartsWith(w, StringComparison.Ordinal));

    private static string Operation(string observed, string? target)
    {
        if (observed != "unknown" || target is null || !target.StartsWith(KmsGatewayEndpoint.TargetPrefix, StringComparison.Ordinal)) return observed;
        var name = target[KmsGatewayEndpoint.TargetPrefix.Length..];
        return Operations.OperationTable.IsModelOperation(name) ? name : observed; // a caller cannot mint event names
    }

    /// <summary>The caller's userIdentity object as CloudTrail writes it, serialized once per identity.</summary>
    private static byte[] UserIdentity(KmsIdentity identity)
    {
        var root = identity.PrincipalArn.EndsWith(":root", StringComparison.Ordinal);
        var type = identity.RoleArn is not null ? "AssumedRole" : root ? "Root" : "IAMUser";
        var buffer = new ArrayBufferWriter<byte>(512);
        using var user = new Utf8JsonWriter(buffer);
        user.WriteStartObject();
        user.WriteString("type", type);
        user.WriteString("principalId", identity.UserId);
        user.WriteString("arn", identity.PrincipalArn);
        user.WriteString("accountId", identity.AccountId);
        user.WriteString("accessKeyId", identity.AccessKeyId);
        if (type == "IAMUser") user.WriteString("userName", identity.PrincipalArn[(identity.PrincipalArn.LastIndexOf('/') + 1)..]);
        if (identity.RoleArn is { } role)
        {
            user.WriteStartObject("sessionContext");
            user.WriteStartObject("sessionIssuer");
            user.WriteString("type", "Role");
            user.WriteString("principalId", identity.UserId[..identity.UserId.IndexOf(':')]);
            user.WriteString("arn", role);
            user.WriteString("accountId", identity.AccountId);
            user.WriteString("userName", role[(role.LastIndexOf('/') + 1)..]);
            user.WriteEndObject();
            user.WriteStartObject("attributes");
            user.WriteString("mfaAuthenticated", "false");
            user.WriteEndObject();
            user.WriteEndObject();
        }

        if (identity.ViaService is { } service) user.WriteString("invokedBy", $"{service}.amazonaws.com");
        user.WriteEndObject();
        user.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An unauthenticated caller: what the request claimed, nothing it did not prove.</summary>
    private static void WriteUnknown(Utf8JsonWriter writer, string? accessKeyId, KmsIdentity? claimed)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "Unknown"u8);
        writer.WriteString("accountId"u8, claimed?.AccountId);
        writer.WriteString("accessKeyId"u8, accessKeyId);
        writer.WriteEndObject();
    }

    /// <summary>The key ARNs of the call: from the answer (KeyId, SourceKeyId, KeyMetadata.Arn, ReplicaKeyMetadata.Arn) when it succeeded, then from the request's key ids and ARNs (not aliases).</summary>
    private static List<string> Resources(KmsRequestRecord? answered, List<string> requestKeys, string region, string? account)
    {
        var arns = t_resources ??= new List<string>(2);
        arns.Clear();
        void Add(string? arn)
        {
            if (arn is not null && arn.Contains(":key/", StringComparison.Ordinal) && !arns.Contains(arn)) arns.Add(arn);
        }

        // A bare key id whose ARN is listed already (the answer's): found without making the ARN string.
        bool Listed(string keyId)
        {
            foreach (var arn in arns)
            {
                // arn:PARTITION:kms:REGION:ACCOUNT:key/KEYID
                var span = arn.AsSpan();
                if (!span.EndsWith(keyId) || !span[..^keyId.Length].EndsWith(":key/")) continue;
                var head = span[..^(keyId.Length + 5)];
                if (!head.EndsWith(account) || !head[..^account!.Length].EndsWith(":")) continue;
                head = head[..^(account.Length + 1)];
                if (head.EndsWith(region) && head[..^region.Length].EndsWith(":kms:")) return true;
            }

            return false;
        }

        var response = answered?.ResponseBody;
        if (response is { Length: > 0 } && FlatAnswers.Contains(answered!.Operation))
        {
            // A cryptographic operation's answer: flat, its key the KeyId other observers found already.
            Add(answered.AnswerKeyId);
            if (answered.Operation == "ReEncrypt") Add(AnswerMembers.Interned(AnswerMembers.Find(response, "\"SourceKeyId\":\""u8)));
        }
        else if (response is { Length: > 0 })
        {
            var reader = new Utf8JsonReader(response);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = reader.ValueTextEquals("KeyId"u8) || reader.ValueTextEquals("SourceKeyId"u8);
                    var metadata = !key && (reader.ValueTextEquals("KeyMetadata"u8) || reader.ValueTextEquals("ReplicaKeyMetadata"u8));
                    reader.Read();
                    if (key && reader.TokenType == JsonTokenType.String) Add(reader.GetString());
                    else if (metadata && reader.TokenType == JsonTokenType.StartObject)
                    {
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var arn = reader.ValueTextEquals("Arn"u8);
                            reader.Read();
                            if (arn && reader.TokenType == JsonTokenType.String) Add(reader.GetString());
                            else reader.Skip();
                        }
                    }
                    else reader.Skip();
                }
            }
        }

        if (account is not null)
        {
            foreach (var key in requestKeys)
            {
                if (key.StartsWith("arn:", StringComparison.Ordinal)) Add(key);
                else if (!key.StartsWith("alias/", StringComparison.Ordinal) && !Listed(key)) Add(new KeyArn(region, account, key).Value);
            }
        }

        return arns;
    }
}
