using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace OrleansKms.Hosting.Durability;

/// <summary>
/// Applies journaled writes to the tables again, in the order they were acknowledged, before the silo starts: each
/// unconditionally (insert-or-replace, insert-or-merge, delete-if-present), so replaying a write storage already
/// has changes nothing, and a replay cut short by another crash is simply done again at the next start.
/// </summary>
public static class JournalReplay
{
    /// <summary>Replays <paramref name="writes"/> into the account of <paramref name="tables"/>; returns how many were applied.</summary>
    public static async Task<int> ApplyAsync(TableServiceClient tables, IEnumerable<TableWrite> writes, ILogger logger, CancellationToken cancel = default)
    {
        var created = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var count = 0;
        foreach (var write in writes)
        {
            var table = tables.GetTableClient(write.Table);
            if (created.Add(write.Table)) await table.CreateIfNotExistsAsync(cancel);
            switch (write.Kind)
            {
                case TableWriteKind.Replace:
                    await table.UpsertEntityAsync(Entity(write), TableUpdateMode.Replace, cancel);
                    break;
                case TableWriteKind.Merge:
                    await table.UpsertEntityAsync(Entity(write), TableUpdateMode.Merge, cancel);
                    break;
                case TableWriteKind.Delete:
                    await table.DeleteEntityAsync(write.PartitionKey, write.RowKey, ETag.All, cancel);
                    break;
            }

            count++;
        }

        if (count > 0) logger.LogWarning("Replayed {Count} acknowledged storage writes from the journal (the last stop was not clean).", count);
        return count;
    }

    /// <summary>The entity a write's JSON body describes, with the types its <c>@odata.type</c> annotations give.</summary>
    public static TableEntity Entity(TableWrite write)
    {
        var entity = new TableEntity(write.PartitionKey, write.RowKey);
        using var document = JsonDocument.Parse(write.Body);
        var root = document.RootElement;
        foreach (var property in root.EnumerateObject())
        {
            var name = property.Name;
            if (name.Contains('@', StringComparison.Ordinal) || name.StartsWith("odata.", StringComparison.Ordinal)
                || name is "PartitionKey" or "RowKey" or "Timestamp" || property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var type = root.TryGetProperty(name + "@odata.type", out var annotation) ? annotation.GetString() : null;
            entity[name] = Value(property.Value, type);
        }

        return entity;
    }

    private static object Value(JsonElement value, string? type) => type switch
    {
        "Edm.Binary" => value.GetBytesFromBase64(),
        "Edm.Int64" => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        "Edm.Int32" => value.GetInt32(),
        "Edm.DateTime" => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        "Edm.Guid" => Guid.Parse(value.GetString()!),
        "Edm.Double" => value.ValueKind == JsonValueKind.String ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDouble(),
        "Edm.Boolean" => value.GetBoolean(),
        "Edm.String" => value.GetString()!,
        _ => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt32(out var i) => i,
            JsonValueKind.Number => value.GetDouble(),
            _ => throw new InvalidDataException($"A journaled entity property of JSON kind {value.ValueKind} cannot be replayed."),
        },
    };
}
