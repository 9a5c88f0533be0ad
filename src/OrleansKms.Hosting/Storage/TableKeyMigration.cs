using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using OrleansKms.Grains;

namespace OrleansKms.Hosting.Storage;

/// <summary>
/// Layout 3 of the key table: rows of grains whose ids hold <c>_</c> move to keys of their own
/// (<see cref="KmsTableRows.Escape"/>). Before, <c>/</c> and <c>_</c> were both written as <c>_</c>, so
/// <c>alias/a/b</c> and <c>alias/a_b</c> read and wrote one row. Only two kinds of grain have ids with caller text that
/// may hold <c>_</c>: aliases (the alias name) and the index of retirable grants (the retiring principal). A row of
/// either whose key could stand for more than one id is given to the id that owns it:
/// <list type="bullet">
/// <item>an alias row to the name, among the aliases its target key lists (the key grain's <c>aliases</c> row), that
/// the row's key stands for; if the key lists none (a change cut short before the key heard of it), to the name read
/// with every <c>_</c> as <c>_</c>, the common spelling;</item>
/// <item>a retirable-grants row is split by its grants' retiring principals, each part to that principal's row.</item>
/// </list>
/// A row that stays where it is (its owner's name has no <c>_</c>) is left untouched. Each move inserts the new row
/// (skipped if that key holds one already) before it deletes or rewrites the old one as it was read (left if it
/// changed since), so a start cut short leaves the old row for the next start to move again, and a second silo
/// moving at the same time neither brings back an old row nor undoes a newer write.
/// </summary>
internal static class TableKeyMigration
{
    private const string AliasState = "alias";
    private const string RetirableGrantsState = "retirable-grants";
    private const string KeyAliasesState = "aliases";
    private const string KeyGrainType = "key";

    public static async Task<int> RunAsync(TableClient table, string serviceId, KmsTableGrainStorage codec, ILogger logger, CancellationToken cancel)
    {
        var moved = 0;
        await foreach (var row in RowsOf(table, serviceId, AliasState, cancel))
        {
            if (await MoveAliasAsync(table, serviceId, codec, row, logger, cancel)) moved++;
        }

        await foreach (var row in RowsOf(table, serviceId, RetirableGrantsState, cancel))
        {
            if (await SplitRetirableGrantsAsync(table, serviceId, codec, row, cancel)) moved++;
        }

        if (moved > 0) logger.LogWarning("Moved {Moved} rows of table {Table} to keys of their own (layout {Version}).", moved, table.Name, TableLayoutMigration.Version);
        return moved;
    }

    /// <summary>The service's rows of one state, in the KMS layout, whose grain id may hold <c>_</c> (none moved yet holds <c>~</c>).</summary>
    private static async IAsyncEnumerable<(TableEntity Row, string[] Id)> RowsOf(
        TableClient table, string serviceId, string stateName, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        var prefix = KmsTableRows.PartitionPrefix(serviceId);
        var from = stateName + KmsTableRows.Separator;
        var to = stateName + (char)(KmsTableRows.Separator + 1);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {prefix} and PartitionKey lt {KmsTableRows.PartitionPrefixEnd(serviceId)} and RowKey ge {from} and RowKey lt {to}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancel))
        {
            if (row.PartitionKey.Contains('~', StringComparison.Ordinal)) continue;

            // {type}_{account}_{region}_{the rest}: the type, account and Region hold no '_' of their own.
            var id = row.PartitionKey[prefix.Length..].Split('_', 4);
            if (id.Length == 4 && id[3].Contains('_', StringComparison.Ordinal)) yield return (row, id);
        }
    }

    private static async Task<bool> MoveAliasAsync(
        TableClient table, string serviceId, KmsTableGrainStorage codec, (TableEntity Row, string[] Id) found, ILogger logger, CancellationToken cancel)
    {
        var (row, id) = found;
        var (type, account, region, rest) = (id[0], id[1], id[2], id[3]);
        if (!rest.StartsWith("alias_", StringComparison.Ordinal)) return false;
        string GrainId(string aliasName) => $"{type}/{AliasNames.GrainKey(account, region, aliasName)}";

        var owner = "alias/" + rest["alias_".Length..];
        var alias = codec.Decode<StoredAlias>(row);
        if (alias is { Exists: true, TargetKeyId.Length: > 0 })
        {
            var keyPartition = KmsTableRows.PartitionKey(serviceId, $"{KeyGrainType}/{new KeyArn(region, account, alias.TargetKeyId).Value}");
            var keyAliases = await table.GetEntityIfExistsAsync<TableEntity>(keyPartition, KmsTableRows.RowKey(keyPartition, KeyAliasesState), cancellationToken: cancel);
            var names = keyAliases.HasValue && keyAliases.Value is { } aliasesRow ? codec.Decode<KeyAliasesState>(aliasesRow)?.Names ?? [] : [];
            var listed = names.FirstOrDefault(n => KmsTableRows.LegacyPartitionKey(serviceId, GrainId(n)) == row.PartitionKey);
            if (listed is not null) owner = listed;
            else logger.LogWarning("Alias row {Row}: its key {KeyId} lists no alias of that key; given to {Alias}.", row.PartitionKey, alias.TargetKeyId, owner);
        }

        var partition = KmsTableRows.PartitionKey(serviceId, GrainId(owner));
        if (partition == row.PartitionKey) return false;
        await InsertAsync(table, KmsTableRows.CopyTo(row, partition, KmsTableRows.RowKey(partition, AliasState)), cancel);
        await DeleteAsync(table, row, cancel);
        return true;
    }

    private static async Task<bool> SplitRetirableGrantsAsync(
        TableClient table, string serviceId, KmsTableGrainStorage codec, (TableEntity Row, string[] Id) found, CancellationToken cancel)
    {
        var (row, id) = found;
        var state = codec.Decode<RetirableGrantsState>(row);
        if (state is null || state.Grants.Count == 0) return false;

        var parts = state.Grants
            .GroupBy(g => RetirableGrants.IndexKey(g.Listed.Grant.RetiringPrincipal, g.Listed.Grant.RetiringServicePrincipal) ?? "")
            .Where(g => g.Key.Length > 0)
            .Select(g => (Partition: KmsTableRows.PartitionKey(serviceId, $"{id[0]}/{RetirableGrants.GrainKey(id[1], id[2], g.Key)}"), Grants: g.ToList()))
            .ToList();
        if (parts.Count == 1 && parts[0].Partition == row.PartitionKey) return false;

        List<IndexedGrant>? stays = null;
        foreach (var (partition, grants) in parts)
        {
            if (partition == row.PartitionKey)
            {
                stays = grants;
                continue;
            }

            var moved = new TableEntity(partition, KmsTableRows.RowKey(partition, RetirableGrantsState));
            codec.Encode(moved, new RetirableGrantsState { Grants = grants, NextSequence = state.NextSequence });
            await InsertAsync(table, moved, cancel);
        }

        if (stays is null)
        {
            await DeleteAsync(table, row, cancel);
        }
        else
        {
            var kept = new TableEntity(row.PartitionKey, row.RowKey);
            codec.Encode(kept, new RetirableGrantsState { Grants = stays, NextSequence = state.NextSequence });
            try
            {
                await table.UpdateEntityAsync(kept, row.ETag, TableUpdateMode.Replace, cancel);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Rewritten or deleted since it was read: by another silo's move, or by its grain after that move.
            }
        }

        return true;
    }

    /// <summary>
    /// Writes a moved row unless its key holds one already: put there by this move cut short, or by another silo's move
    /// and perhaps changed by its grain since, which a second copy of the old row must not undo.
    /// </summary>
    private static async Task InsertAsync(TableClient table, TableEntity row, CancellationToken cancel)
    {
        try
        {
            await table.AddEntityAsync(row, cancel);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
        }
    }

    /// <summary>Deletes the old row as it was read: if it is gone or was written since (the grain whose key it is now), it stays as it is.</summary>
    private static async Task DeleteAsync(TableClient table, TableEntity row, CancellationToken cancel)
    {
        try
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancel);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
        }
    }
}
