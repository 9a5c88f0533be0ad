using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OrleansKms.Cli.Admin;

namespace OrleansKms.Cli.Audit;

/// <summary>A lookup of the audit trail: what <c>POST /_kms/audit/lookup</c> takes.</summary>
internal sealed record AuditLookup
{
    public string? Key { get; init; }

    public string? Principal { get; init; }

    public string? EventName { get; init; }

    public string? Since { get; init; }

    public string? Until { get; init; }

    public int? MaxResults { get; init; }

    public bool? Ascending { get; init; }
}

/// <summary>Asks the service's audit trail (<c>POST /_kms/audit/lookup</c>, SigV4-signed as an account root) for CloudTrail records.</summary>
internal sealed class AuditClient(HttpClient http, ServiceConnection connection, TimeProvider time)
{
    /// <summary>The records, as the service answered: CloudTrail's <c>{"Records": [...]}</c>.</summary>
    public async Task<JsonArray> LookupAsync(AuditLookup lookup, CancellationToken cancel)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(lookup, AuditJsonContext.Default.AuditLookup);
        return await SignedCall.PostAsync(http, connection, "/_kms/audit/lookup", body, time,
            json => json?["Records"] as JsonArray, cancel);
    }

    /// <summary>CloudTrail's log-file shape, indented.</summary>
    public static string LogFile(JsonArray records) =>
        new JsonObject { ["Records"] = records.DeepClone() }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>One line per record: time, event, caller, key, outcome.</summary>
    public static string Table(JsonArray records)
    {
        var text = new StringBuilder();
        text.AppendLine($"{"EVENT TIME",-21}{"EVENT NAME",-34}{"PRINCIPAL",-48}{"KEY",-38}OUTCOME");
        foreach (var record in records)
        {
            var user = record?["userIdentity"];
            var principal = user?["arn"]?.GetValue<string>() ?? $"({user?["type"]} {user?["accessKeyId"]})";
            var key = record?["resources"] is JsonArray { Count: > 0 } resources ? resources[0]?["ARN"]?.GetValue<string>() : null;
            var keyId = key is null ? "-" : key[(key.LastIndexOf('/') + 1)..];
            var outcome = record?["errorCode"]?.GetValue<string>() ?? "ok";
            text.AppendLine($"{record?["eventTime"],-21}{record?["eventName"],-34}{principal,-48}{keyId,-38}{outcome}");
        }

        return text.ToString();
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuditLookup))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
