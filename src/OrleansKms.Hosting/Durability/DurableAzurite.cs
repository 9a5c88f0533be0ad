using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using OrleansKms.Hosting.Azurite;
using OrleansKms.Hosting.Regions;

namespace OrleansKms.Hosting.Durability;

/// <summary>
/// The default store: Azurite started by the service, with its data in <c>DATA-DIR/azurite</c>, made as durable as
/// its answers by the storage journal in <c>DATA-DIR/journal</c>. At start the journal left by a stop that was not
/// clean is replayed into Azurite before the silo starts; on a clean stop Azurite saves its tables and the journal is
/// emptied.
/// </summary>
public sealed class DurableAzurite : IAsyncDisposable
{
    private readonly AzuriteProcess _azurite;
    private readonly StorageJournal _journal;
    private readonly ILogger _logger;

    private DurableAzurite(AzuriteProcess azurite, StorageJournal journal, ILogger logger)
    {
        _azurite = azurite;
        _journal = journal;
        _logger = logger;
        TableClientOptions = new TableClientOptions();
        TableClientOptions.AddPolicy(new JournalingPolicy(journal, logger), HttpPipelinePosition.PerCall);
    }

    public string ConnectionString => _azurite.ConnectionString;

    /// <summary>Options for the table clients of key state and reminders: every write they make is journaled.</summary>
    public TableClientOptions TableClientOptions { get; }

    /// <summary>The Azurite process (a power-cut test kills it).</summary>
    public AzuriteProcess Azurite => _azurite;

    public static async Task<DurableAzurite> StartAsync(string dataDirectory, ILogger logger, CancellationToken cancel = default)
    {
        var azurite = await AzuriteProcess.StartAsync(Path.Combine(dataDirectory, "azurite"), logger, cancel);
        try
        {
            var journalDirectory = Path.Combine(dataDirectory, "journal");
            var segments = StorageJournal.Segments(journalDirectory);
            var tables = new TableServiceClient(azurite.ConnectionString);
            await JournalReplay.ApplyAsync(tables, StorageJournal.Read(segments), logger, cancel);
            await ForgetEarlierSilosAsync(tables, cancel);
            var journal = StorageJournal.Open(journalDirectory, new SaveWatch(azurite.TableDatabasePath), TimeProvider.System, logger);
            return new DurableAzurite(azurite, journal, logger);
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Only this process reaches this Azurite (on ports it picked), so any silo the membership table lists is one of
    /// an earlier run that did not stop cleanly. Left there, it would make the new silo wait (up to minutes) for it
    /// to answer probes before joining.
    /// </summary>
    private static async Task ForgetEarlierSilosAsync(TableServiceClient tables, CancellationToken cancel)
    {
        var names = new List<string>();
        await foreach (var table in tables.QueryAsync(cancellationToken: cancel))
        {
            if (table.Name.StartsWith(RegionNames.MembershipTablePrefix, StringComparison.Ordinal)) names.Add(table.Name);
        }

        foreach (var name in names)
        {
            // Each Region's cluster has its own membership table.
            var membership = tables.GetTableClient(name);
            await foreach (var row in membership.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"], cancellationToken: cancel))
                await membership.DeleteEntityAsync(row.PartitionKey, row.RowKey, Azure.ETag.All, cancel);
        }
    }

    /// <summary>Call after the silo has stopped: closes the journal, stops Azurite, and empties the journal if Azurite saved everything.</summary>
    public async ValueTask DisposeAsync()
    {
        await _journal.DisposeAsync();
        if (await _azurite.StopAsync()) _journal.DeleteAll();
        else _logger.LogWarning("Azurite did not close its tables cleanly; the storage journal is kept and replayed at the next start.");
        await _azurite.DisposeAsync();
    }
}
