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

/// <summary>The service refused or could not be asked; the message says why, for a person.</summary>
internal sealed class AuditException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Asks the service's audit trail (<c>POST /_kms/audit/lookup</c>, SigV4-signed as an account root) for CloudTrail records.</summary>
internal sealed class AuditClient(HttpClient http, ServiceConnection connection, TimeProvider time)
{
    /// <summary>The records, as the service answered: CloudTrail's <c>{"Records": [...]}</c>.</summary>
    public async Task<JsonArray> LookupAsync(AuditLookup lookup, CancellationToken cancel)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(lookup, AuditJsonContext.Default.AuditLookup);
        var uri = new Uri(connection.Endpoint, "/_kms/audit/lookup");
        using var request = SigV4Request.Post(uri, body, "application/json", connection.Region, connection.AccessKey, connection.SecretKey, time.GetUtcNow(), connection.SessionToken);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancel);
        }
        catch (HttpRequestException e)
        {
            throw new AuditException($"{connection.Endpoint} is not reachable: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new AuditException($"{connection.Endpoint} did not answer within {http.Timeout.TotalSeconds:0} s.", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancel);
            JsonNode? json;
            try
            {
                json = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                json = null;
            }

            if (response.IsSuccessStatusCode && json?["Records"] is JsonArray records) return records;
            if (json?["__type"] is { } type) throw new AuditException($"{type}: {json["message"]}");
            throw new AuditException($"HTTP {(int)response.StatusCode}: {Shorten(text)}");
        }
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";

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
