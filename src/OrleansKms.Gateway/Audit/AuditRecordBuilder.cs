using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansKms.Gateway.Auth;

namespace OrleansKms.Gateway.Audit;

/// <summary>
/// Turns a <see cref="KmsRequestRecord"/> into a CloudTrail event (eventVersion 1.08, eventSource kms.amazonaws.com,
/// eventType AwsApiCall, Management): userIdentity from the caller (Root, IAMUser, AssumedRole with its
/// sessionContext; <c>Unknown</c> with the claimed access key when authentication failed), requestParameters and
/// responseElements through <see cref="AuditSanitizer"/>, resources the key ARNs the call named or the answer gave.
/// errorCode is the AWS error code the caller got (e.g. AccessDeniedException).
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

    private static readonly string[] KeyMembers = ["KeyId", "SourceKeyId", "DestinationKeyId", "TargetKeyId"];

    /// <summary>The record of one request; <paramref name="target"/> is the X-Amz-Target of one refused before its operation was read.</summary>
    public AuditEntry Build(KmsRequestRecord record, long sequence, string? target = null)
    {
        var operation = Operation(record.Operation, target);
        var region = record.Region ?? defaultRegion;
        var identity = record.Identity;
        // A refused signature still names an access key: the account it belongs to sees the attempt.
        KmsIdentity? claimed = identity is null && record.AccessKeyId is { } id && identities.TryGet(id, out var known) ? known : null;
        var account = identity?.AccountId ?? claimed?.AccountId;
        var request = Parse(record.RequestBody);
        var response = record.ResponseBody is { } answer ? Parse(answer) : null;
        var resources = Resources(operation, request, response, region, account);
        var eventId = Guid.NewGuid().ToString("D");
        var json = new JsonObject
        {
            ["eventVersion"] = EventVersion,
            ["userIdentity"] = identity is not null ? UserIdentity(identity) : Unknown(record.AccessKeyId, claimed),
            ["eventTime"] = record.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["eventSource"] = EventSource,
            ["eventName"] = operation,
            ["awsRegion"] = region,
            ["sourceIPAddress"] = record.SourceIp,
            ["userAgent"] = record.UserAgent,
        };
        if (record.ErrorCode is not null)
        {
            json["errorCode"] = record.ErrorCode;
            json["errorMessage"] = record.ErrorMessage;
        }

        json["requestParameters"] = AuditSanitizer.RequestParameters(operation, request);
        json["responseElements"] = record.Succeeded ? AuditSanitizer.ResponseElements(operation, response) : null;
        json["requestID"] = record.RequestId;
        json["eventID"] = eventId;
        json["readOnly"] = !Writes.Any(w => operation.StartsWith(w, StringComparison.Ordinal));
        json["resources"] = new JsonArray([.. resources.Select(arn => (JsonNode)new JsonObject
        {
            ["accountId"] = account,
            ["type"] = "AWS::KMS::Key",
            ["ARN"] = arn,
        })]);
        json["eventType"] = "AwsApiCall";
        json["managementEvent"] = true;
        json["recipientAccountId"] = account;
        json["eventCategory"] = "Management";
        return new AuditEntry(region, account, record.Time, sequence, eventId, operation,
            identity?.PrincipalArn, record.AccessKeyId, resources, json.ToJsonString());
    }

    private static string Operation(string observed, string? target)
    {
        if (observed != "unknown" || target is null || !target.StartsWith(KmsGatewayEndpoint.TargetPrefix, StringComparison.Ordinal)) return observed;
        var name = target[KmsGatewayEndpoint.TargetPrefix.Length..];
        return Operations.OperationTable.IsModelOperation(name) ? name : observed; // a caller cannot mint event names
    }

    private static JsonObject UserIdentity(KmsIdentity identity)
    {
        var root = identity.PrincipalArn.EndsWith(":root", StringComparison.Ordinal);
        var type = identity.RoleArn is not null ? "AssumedRole" : root ? "Root" : "IAMUser";
        var user = new JsonObject
        {
            ["type"] = type,
            ["principalId"] = identity.UserId,
            ["arn"] = identity.PrincipalArn,
            ["accountId"] = identity.AccountId,
            ["accessKeyId"] = identity.AccessKeyId,
        };
        if (type == "IAMUser") user["userName"] = identity.PrincipalArn[(identity.PrincipalArn.LastIndexOf('/') + 1)..];
        if (identity.RoleArn is { } role)
        {
            user["sessionContext"] = new JsonObject
            {
                ["sessionIssuer"] = new JsonObject
                {
                    ["type"] = "Role",
                    ["principalId"] = identity.UserId[..identity.UserId.IndexOf(':')],
                    ["arn"] = role,
                    ["accountId"] = identity.AccountId,
                    ["userName"] = role[(role.LastIndexOf('/') + 1)..],
                },
                ["attributes"] = new JsonObject
                {
                    ["mfaAuthenticated"] = "false",
                },
            };
        }

        if (identity.ViaService is { } service) user["invokedBy"] = $"{service}.amazonaws.com";
        return user;
    }

    /// <summary>An unauthenticated caller: what the request claimed, nothing it did not prove.</summary>
    private static JsonObject Unknown(string? accessKeyId, KmsIdentity? claimed) => new()
    {
        ["type"] = "Unknown",
        ["accountId"] = claimed?.AccountId,
        ["accessKeyId"] = accessKeyId,
    };

    /// <summary>The key ARNs of the call: from the answer (KeyId, KeyMetadata.Arn) when it succeeded, else from the request's key ids and ARNs (not aliases).</summary>
    private static List<string> Resources(string operation, JsonElement? request, JsonElement? response, string region, string? account)
    {
        var arns = new List<string>();
        void Add(string? arn)
        {
            if (arn is not null && arn.Contains(":key/", StringComparison.Ordinal) && !arns.Contains(arn)) arns.Add(arn);
        }

        if (response is { ValueKind: JsonValueKind.Object } answer)
        {
            foreach (var member in new[] { "KeyId", "SourceKeyId" })
                if (answer.TryGetProperty(member, out var v) && v.ValueKind == JsonValueKind.String) Add(v.GetString());
            foreach (var member in new[] { "KeyMetadata", "ReplicaKeyMetadata" })
                if (answer.TryGetProperty(member, out var m) && m.ValueKind == JsonValueKind.Object && m.TryGetProperty("Arn", out var arn)) Add(arn.GetString());
        }

        if (request is { ValueKind: JsonValueKind.Object } asked && account is not null)
        {
            foreach (var member in KeyMembers)
            {
                if (!asked.TryGetProperty(member, out var v) || v.ValueKind != JsonValueKind.String) continue;
                var key = v.GetString()!;
                if (key.StartsWith("arn:", StringComparison.Ordinal)) Add(key);
                else if (!key.StartsWith("alias/", StringComparison.Ordinal) && key.Length > 0) Add(new KeyArn(region, account, key).Value);
            }
        }

        return arns;
    }

    private static JsonElement? Parse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty) return null;
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
