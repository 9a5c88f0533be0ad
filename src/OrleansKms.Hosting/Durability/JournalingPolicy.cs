using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace OrleansKms.Hosting.Durability;

/// <summary>
/// An Azure SDK pipeline policy on the table clients of the default store: every entity write the table service
/// acknowledges (insert, replace, merge, delete; table creation) is appended to the <see cref="StorageJournal"/>
/// before the write returns to its caller. Reads and failed writes pass through untouched. Only the clients of key
/// state and reminders carry it: Orleans membership rebuilds itself and needs no journal.
/// </summary>
public sealed class JournalingPolicy(StorageJournal journal, ILogger logger) : HttpPipelinePolicy
{
    private int _batchWarned;

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline);
        if (Capture(message) is { } write) await journal.AppendAsync(write);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ProcessNext(message, pipeline);
        if (Capture(message) is { } write) journal.AppendAsync(write).GetAwaiter().GetResult();
    }

    private TableWrite? Capture(HttpMessage message)
    {
        var request = message.Request;
        if (request.Method == RequestMethod.Get || request.Method == RequestMethod.Head) return null;
        if (message.Response.Status is < 200 or >= 300) return null;
        var segment = Uri.UnescapeDataString(request.Uri.Path[(request.Uri.Path.LastIndexOf('/') + 1)..]);
        if (segment == "$batch")
        {
            if (Interlocked.Exchange(ref _batchWarned, 1) == 0)
                logger.LogWarning("A table batch went through the storage journal's client; batches are not journaled.");
            return null;
        }

        if (segment == "Tables")
        {
            return request.Method == RequestMethod.Post && Property(Body(request), "TableName") is { } created
                ? new TableWrite(TableWriteKind.CreateTable, created, "", "", [])
                : null;
        }

        var open = segment.IndexOf('(');
        var table = open < 0 ? segment : segment[..open];
        if (table.StartsWith("Tables", StringComparison.Ordinal)) return null;
        if (open < 0)
        {
            if (request.Method != RequestMethod.Post) return null;
            var body = Body(request);
            return Property(body, "PartitionKey") is { } pk && Property(body, "RowKey") is { } rk
                ? new TableWrite(TableWriteKind.Replace, table, pk, rk, body)
                : null;
        }

        if (!EntityKeys.TryParse(segment.AsSpan(open), out var partitionKey, out var rowKey)) return null;
        return request.Method.Method switch
        {
            "PUT" => new TableWrite(TableWriteKind.Replace, table, partitionKey, rowKey, Body(request)),
            "PATCH" or "MERGE" => new TableWrite(TableWriteKind.Merge, table, partitionKey, rowKey, Body(request)),
            "DELETE" => new TableWrite(TableWriteKind.Delete, table, partitionKey, rowKey, []),
            _ => null,
        };
    }

    private static byte[] Body(Azure.Core.Request request)
    {
        if (request.Content is null) return [];
        // A row's body knows its length: written once into an array of that size, not grown and copied again.
        if (request.Content.TryComputeLength(out var length) && length > 0 && length <= Array.MaxLength)
        {
            var bytes = new byte[length];
            try
            {
                using var exact = new MemoryStream(bytes, writable: true);
                request.Content.WriteTo(exact, CancellationToken.None);
                if (exact.Position == length) return bytes;
            }
            catch (NotSupportedException)
            {
                // Longer than it said: read it as any other body.
            }
        }

        using var buffer = new MemoryStream();
        request.Content.WriteTo(buffer, CancellationToken.None);
        return buffer.ToArray();
    }

    private static string? Property(byte[] json, string name)
    {
        if (json.Length == 0) return null;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match) return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            reader.Skip();
        }

        return null;
    }
}

/// <summary>The <c>(PartitionKey='a',RowKey='b')</c> of an entity's address (quotes inside a key are doubled).</summary>
internal static class EntityKeys
{
    public static bool TryParse(ReadOnlySpan<char> text, out string partitionKey, out string rowKey)
    {
        rowKey = "";
        var rest = text;
        if (!TryKey(ref rest, "(PartitionKey='", out partitionKey) || !TryKey(ref rest, ",RowKey='", out rowKey)) return false;
        return rest is ")";
    }

    private static bool TryKey(ref ReadOnlySpan<char> rest, string prefix, out string value)
    {
        value = "";
        if (!rest.StartsWith(prefix, StringComparison.Ordinal)) return false;
        rest = rest[prefix.Length..];
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] != '\'')
            {
                builder.Append(rest[i]);
                continue;
            }

            if (i + 1 < rest.Length && rest[i + 1] == '\'')
            {
                builder.Append('\'');
                i++;
                continue;
            }

            value = builder.ToString();
            rest = rest[(i + 1)..];
            return true;
        }

        return false;
    }
}
