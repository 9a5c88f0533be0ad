using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace OrleansKms.Hosting.Durability;

/// <summary>
/// Applies journaled writes to the tables again before the silo starts: each unconditionally (insert-or-replace,
/// insert-or-merge, delete-if-present), so replaying a write storage already has changes nothing, and a replay cut
/// short by another crash is simply done again at the next start (the segments stay until Azurite has saved them).
/// <para>
/// Only a row's last state matters, so a row's writes before its last replace or delete are skipped (a CreateKey
/// rewrites its catalog shard's row of up to 512 ids, so a journal holds many versions of few shard rows). The rows
/// are applied <see cref="Lanes"/> at a time: each row's writes in the order they were acknowledged, always in the
/// same lane; rows in different lanes in any order, which nothing sees, since the silo starts after the replay.
/// </para>
/// </summary>
public static class JournalReplay
{
    /// <summary>Rows applied at once.</summary>
    public const int Lanes = 16;

    /// <summary>
    /// Replays <paramref name="writes"/> (read twice: first to find each row's last replace or delete) into the account
    /// of <paramref name="tables"/>; returns how many writes were applied.
    /// </summary>
    public static async Task<int> ApplyAsync(TableServiceClient tables, IEnumerable<TableWrite> writes, ILogger logger, CancellationToken cancel = default)
    {
        // First pass: the position of each row's last replace or delete; the row's writes before it are superseded.
        var lastWhole = new Dictionary<string, int>(StringComparer.Ordinal);
        var journaled = 0;
        foreach (var write in writes)
        {
            if (write.Kind is TableWriteKind.Replace or TableWriteKind.Delete) lastWhole[RowOf(write)] = journaled;
            journaled++;
        }

        if (journaled == 0) return 0;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var lanes = Enumerable.Range(0, Lanes).Select(_ => Channel.CreateBounded<TableWrite>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true })).ToArray();
        var appliers = lanes.Select(lane => Task.Run(() => ApplyLaneAsync(tables, lane.Reader, failed), CancellationToken.None)).ToArray();
        var created = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var applied = 0;
        try
        {
            var at = 0;
            foreach (var write in writes)
            {
                var position = at++;
                if (created.Add(write.Table)) await tables.GetTableClient(write.Table).CreateIfNotExistsAsync(failed.Token);
                if (write.Kind == TableWriteKind.CreateTable) continue;
                var row = RowOf(write);
                if (lastWhole.TryGetValue(row, out var whole) && position < whole) continue;
                await lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(row) % Lanes)].Writer.WriteAsync(write, failed.Token);
                applied++;
            }
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            // A lane failed: its exception is thrown below.
        }
        catch
        {
            // Creating a table failed: the lanes stop too, rather than go on writing after the start has failed.
            await failed.CancelAsync();
            throw;
        }
        finally
        {
            foreach (var lane in lanes) lane.Writer.TryComplete();
        }

        await Task.WhenAll(appliers);
        cancel.ThrowIfCancellationRequested();
        logger.LogWarning("Replayed {Count} acknowledged storage writes from the journal (the last stop was not clean): the last state of each row written, {Journaled} writes in all.", applied, journaled);
        return applied;
    }

    private static async Task ApplyLaneAsync(TableServiceClient tables, ChannelReader<TableWrite> writes, CancellationTokenSource failed)
    {
        try
        {
            await foreach (var write in writes.ReadAllAsync(failed.Token))
            {
                var table = tables.GetTableClient(write.Table);
                switch (write.Kind)
                {
                    case TableWriteKind.Replace:
                        await table.UpsertEntityAsync(Entity(write), TableUpdateMode.Replace, failed.Token);
                        break;
                    case TableWriteKind.Merge:
                        await table.UpsertEntityAsync(Entity(write), TableUpdateMode.Merge, failed.Token);
                        break;
                    case TableWriteKind.Delete:
                        await table.DeleteEntityAsync(write.PartitionKey, write.RowKey, ETag.All, failed.Token);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested)
        {
            // Another lane failed (its exception is the one thrown), or the start was cancelled (thrown by the caller).
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }
    }

    /// <summary>A row's identity: table names are case-insensitive, keys are not.</summary>
    private static string RowOf(TableWrite write) => string.Concat(write.Table.ToLowerInvariant(), "\u0000", write.PartitionKey, "\u0000", write.RowKey);

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
