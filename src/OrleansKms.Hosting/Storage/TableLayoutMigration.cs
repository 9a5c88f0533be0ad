using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace OrleansKms.Hosting.Storage;

/// <summary>
/// Moves the rows of a key table written by Orleans' table storage (before <see cref="KmsTableGrainStorage"/>) to the
/// KMS layout, once, before the silo serves:
/// <list type="number">
/// <item>If the service's layout row (<c>orleanskms</c>, <c>$layout${ServiceId}</c>) says its rows are all of the KMS
/// layout of this version (3), nothing is done (one read per start).</item>
/// <item>Without a layout row, every row of Orleans' layout is copied to its KMS RowKey in the same partition, as an insert (if the
/// KMS row exists already, a move cut short inserted it and it is kept), then the old row is deleted.</item>
/// <item>Below version 3, the rows whose keys could stand for two grains (<c>/</c> and <c>_</c> were one character)
/// are given to their owners (<see cref="TableKeyMigration"/>).</item>
/// <item>Then the layout row is written.</item>
/// </list>
/// Each step is a single-row write, journaled like every other, so a kill at any point leaves rows that the next start
/// simply moves again; nothing is served until the layout row is written. The data is copied as stored (Orleans' JSON)
/// and turned into the binary form when its grain next writes it.
/// </summary>
internal static class TableLayoutMigration
{
    public const string LayoutPartition = "orleanskms";
    public const string LayoutRow = "$layout$";
    public const int Version = 3;

    /// <summary>Moves the rows of service <paramref name="serviceId"/> (services may share a table); the number moved.</summary>
    public static async Task<int> RunAsync(TableClient table, string serviceId, KmsTableGrainStorage codec, ILogger logger, CancellationToken cancel)
    {
        var layoutRow = LayoutRow + serviceId;
        var layout = await table.GetEntityIfExistsAsync<TableEntity>(LayoutPartition, layoutRow, cancellationToken: cancel);
        var version = layout.HasValue && layout.Value is { } found ? found.GetInt32("Version") ?? 2 : 0;
        if (version >= Version) return 0;

        var moved = version < 2 ? await MoveFromOrleansLayoutAsync(table, serviceId, logger, cancel) : 0;
        moved += await TableKeyMigration.RunAsync(table, serviceId, codec, logger, cancel);
        await table.UpsertEntityAsync(new TableEntity(LayoutPartition, layoutRow) { ["Version"] = Version }, TableUpdateMode.Replace, cancel);
        return moved;
    }

    private static async Task<int> MoveFromOrleansLayoutAsync(TableClient table, string serviceId, ILogger logger, CancellationToken cancel)
    {
        var moved = 0;
        // The service's partitions (services may share a table).
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {KmsTableRows.PartitionPrefix(serviceId)} and PartitionKey lt {KmsTableRows.PartitionPrefixEnd(serviceId)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancel))
        {
            if (!KmsTableRows.IsOrleansLayout(row)) continue;
            if (moved == 0) logger.LogWarning("Table {Table} holds rows of Orleans' layout: moving them to the KMS layout before the silo starts.", table.Name);
            await MoveAsync(table, row, cancel);
            moved++;
            if (moved % 1000 == 0) logger.LogWarning("{Moved} rows moved so far.", moved);
        }

        if (moved > 0) logger.LogWarning("Moved {Moved} rows of table {Table} to the KMS layout.", moved, table.Name);
        return moved;
    }

    private static async Task MoveAsync(TableClient table, TableEntity row, CancellationToken cancel)
    {
        var copy = KmsTableRows.CopyTo(row, row.PartitionKey, KmsTableRows.RowKey(row.PartitionKey, row.RowKey));

        try
        {
            await table.AddEntityAsync(copy, cancel);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Copied by a move that was cut short before it deleted the old row: the copy stands.
        }

        try
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancel);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }
}
