using System.Diagnostics.Metrics;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansKms.Hosting.Storage;

/// <summary>
/// KMS grain state in an Azure table (an Azure Storage account, or the service's own Azurite), in a layout of its own
/// (<see cref="KmsTableRows"/>): every row has a RowKey of its own, so Azurite, which indexes only the RowKey, finds a
/// row without scanning every row of its state; and rows hold Orleans' binary form of the state, not JSON.
/// The semantics are Orleans' table storage's: a write with the ETag read replaces the row only if it is unchanged, a
/// write with no ETag inserts (and fails if the row exists), a clear deletes the row; a conflict throws
/// <see cref="InconsistentStateException"/>. Before the silo serves, rows of Orleans' layout are moved to this one
/// (<see cref="TableLayoutMigration"/>).
/// </summary>
public sealed class KmsTableGrainStorage(
    string name, TableServiceClient service, string tableName, string serviceId, Serializer serializer,
    IGrainStorageSerializer orleansSerializer, ILogger<KmsTableGrainStorage> logger)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The storage meter: rows written and deleted, by state name (<c>kms.storage.writes</c>).</summary>
    public static readonly Meter Meter = new("OrleansKms.Storage");

    private static readonly Counter<long> Writes = Meter.CreateCounter<long>("kms.storage.writes", description: "Rows written (inserted, replaced or deleted), by state name");

    private readonly TableClient _table = service.GetTableClient(tableName);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (partitionKey, rowKey) = Keys(stateName, grainId);
        var found = await _table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey);
        if (!found.HasValue || found.Value is not { } row) return;
        grainState.State = Decode<T>(row) ?? Activator.CreateInstance<T>();
        grainState.ETag = row.ETag.ToString();
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (partitionKey, rowKey) = Keys(stateName, grainId);
        var row = new TableEntity(partitionKey, rowKey);
        Encode(row, grainState.State);
        Writes.Add(1, new KeyValuePair<string, object?>("state", stateName));
        try
        {
            var response = grainState.ETag is { } etag
                ? await _table.UpdateEntityAsync(row, new ETag(etag), TableUpdateMode.Replace)
                : await _table.AddEntityAsync(row);
            grainState.ETag = response.Headers.ETag?.ToString();
            grainState.RecordExists = true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            throw Conflict("Write", stateName, grainId, grainState.ETag, e);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // As Orleans' table storage: a state never read or written has no row to delete.
        if (grainState.ETag is { } etag)
        {
            var (partitionKey, rowKey) = Keys(stateName, grainId);
            Writes.Add(1, new KeyValuePair<string, object?>("state", stateName));
            try
            {
                await _table.DeleteEntityAsync(partitionKey, rowKey, new ETag(etag));
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // Already gone: what a clear wants.
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                throw Conflict("Clear", stateName, grainId, etag, e);
            }
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>Creates the table and moves rows of Orleans' layout before the silo serves (Orleans' table storage creates its table at the same stage).</summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(KmsTableGrainStorage)}-{name}", ServiceLifecycleStage.ApplicationServices, async cancel =>
        {
            await _table.CreateIfNotExistsAsync(cancel);
            await TableLayoutMigration.RunAsync(_table, serviceId, this, logger, cancel);
        });

    private (string PartitionKey, string RowKey) Keys(string stateName, GrainId grainId)
    {
        var partitionKey = KmsTableRows.PartitionKey(serviceId, grainId);
        return (partitionKey, KmsTableRows.RowKey(partitionKey, stateName));
    }

    /// <summary>Puts a state into a row in Orleans' binary form.</summary>
    internal void Encode<T>(TableEntity row, T state) => KmsTableRows.SetPieces(row, serializer.SerializeToArray(state));

    /// <summary>Orleans' binary form; a row moved from Orleans' layout and not written since holds Orleans' grain storage serializer's form.</summary>
    internal T? Decode<T>(TableEntity row)
    {
        if (row.ContainsKey(KmsTableRows.StateProperty)) return serializer.Deserialize<T>(KmsTableRows.GetPieces(row, KmsTableRows.StateProperty));
        var binary = KmsTableRows.GetPieces(row, KmsTableRows.LegacyBinaryProperty);
        return binary.Length > 0
            ? orleansSerializer.Deserialize<T>(new BinaryData(binary))
            : orleansSerializer.Deserialize<T>(new BinaryData(KmsTableRows.GetStringPieces(row, KmsTableRows.LegacyStringProperty)));
    }

    private static InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, string? etag, Exception inner) =>
        new($"{operation} of {stateName} of {grainId}: ETag {etag ?? "(none: insert)"} is not the stored row's ({inner.Message.Split('\n')[0]}).", "", etag ?? "", inner);
}
