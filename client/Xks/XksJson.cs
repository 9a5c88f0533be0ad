using System.Text.Json;

namespace OrleansKms.Cli.Xks;

/// <summary>The requestMetadata of an XKS request: what the proxy logs (it is not otherwise checked, as the spec asks).</summary>
internal sealed record XksRequestMetadata(string? KmsRequestId, string? KmsOperation, string? AwsPrincipalArn, string? KmsKeyArn);

/// <summary>Reading XKS request bodies: every malformed or missing member is a ValidationException naming it.</summary>
internal static class XksJson
{
    /// <summary>The body as a JSON object; <see cref="XksException.Validation"/> when it is not one.</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            throw XksException.Validation("The request body is not valid JSON.");
        }

        if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
        document.Dispose();
        throw XksException.Validation("The request body must be a JSON object.");
    }

    /// <summary>The requestMetadata for the log, whatever its shape (null when there is none to read).</summary>
    public static XksRequestMetadata? TryMetadata(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("requestMetadata", out var m) && m.ValueKind == JsonValueKind.Object
            ? new XksRequestMetadata(Text(m, "kmsRequestId"), Text(m, "kmsOperation"), Text(m, "awsPrincipalArn"), Text(m, "kmsKeyArn"))
            : null;

    /// <summary>The requestMetadata, which must be an object with the REQUIRED kmsRequestId and kmsOperation strings.</summary>
    public static XksRequestMetadata RequireMetadata(JsonElement root)
    {
        if (!root.TryGetProperty("requestMetadata", out var m) || m.ValueKind != JsonValueKind.Object)
            throw XksException.Validation("requestMetadata is required and must be an object.");
        var metadata = TryMetadata(root)!;
        if (metadata.KmsRequestId is null) throw XksException.Validation("requestMetadata.kmsRequestId is required and must be a string.");
        if (metadata.KmsOperation is null) throw XksException.Validation("requestMetadata.kmsOperation is required and must be a string.");
        return metadata;
    }

    /// <summary>A string member that must be present.</summary>
    public static string RequireString(JsonElement root, string name) =>
        OptionalString(root, name) ?? throw XksException.Validation($"{name} is required.");

    /// <summary>A string member, or null when absent (a present member must be a string).</summary>
    public static string? OptionalString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw XksException.Validation($"{name} must be a string.");
    }

    /// <summary>A standard-Base64 member that must be present.</summary>
    public static byte[] RequireBase64(JsonElement root, string name) =>
        OptionalBase64(root, name) ?? throw XksException.Validation($"{name} is required.");

    /// <summary>A standard-Base64 member (RFC 4648 section 4), or null when absent.</summary>
    public static byte[]? OptionalBase64(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String || !value.TryGetBytesFromBase64(out var bytes))
            throw XksException.Validation($"{name} must be a Base64 string.");
        return bytes;
    }

    /// <summary>Writes the spec's error body.</summary>
    public static void WriteError(Utf8JsonWriter writer, XksException error)
    {
        writer.WriteStartObject();
        writer.WriteString("errorName", error.ErrorName);
        writer.WriteString("errorMessage", error.ErrorMessage);
        writer.WriteEndObject();
    }

    private static string? Text(JsonElement m, string name) =>
        m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
