using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Audit;

namespace OrleansKms.Hosting.Audit;

/// <summary>
/// Audit records as CloudTrail log files in blob storage: each write puts one gzipped <c>{"Records": [...]}</c> file
/// per account and hour, laid out as CloudTrail lays out its S3 bucket, in the container <c>kmsaudit</c>:
/// <c>AWSLogs/ACCOUNT/CloudTrail/REGION/yyyy/MM/dd/HH/ACCOUNT_CloudTrail_REGION_yyyyMMddTHHmmssfffffffZ_SEQUENCE_WRITER.json.gz</c>
/// (<c>-</c> for the account of an access key no identity has; the hour folder is ours, so a lookup lists only the
/// hours it asks for). The files are what existing log tools read, as they are.
/// <para>
/// Why blobs and not table rows: the storage emulator keeps its tables in one in-memory database that it writes out
/// whole at every save, so a table that grows by megabytes a minute makes every later write dearer (measured: its CPU
/// per audited request tripled within a minute of load); blob contents are files of their own.
/// </para>
/// A file is named by its first record's time and sequence and this process's writer id, so a retried batch writes the
/// same file again (an append that carries more records rewrites it as a superset): no duplicates, and several gateway
/// processes never write the same file. The writer's batches (<see cref="StartBatch"/>) are gzipped record by record
/// as they are built, not at write time. Records of the table rows of the format before this one
/// (<see cref="AzureTableAuditArchive"/>) are still found by lookups when <c>legacy</c> is given.
/// </summary>
public sealed class AzureBlobAuditStore(BlobServiceClient service, IOptions<KmsAuditOptions> options, AzureTableAuditArchive? legacy = null) : IAuditStore
{
    private readonly string _writer = Guid.NewGuid().ToString("N")[..12];
    private Task<BlobContainerClient>? _container;

    public Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancel) => CloudTrailLogFiles.AppendAsync(this, entries, cancel);

    /// <summary>A batch that gzips each record into its log file as the writer adds it (see <see cref="CloudTrailLogFiles.Batch"/>).</summary>
    public AuditBatch StartBatch() => new CloudTrailLogFiles.Batch(_writer);

    public async Task WriteAsync(AuditBatch batch, CancellationToken cancel)
    {
        if (batch is not CloudTrailLogFiles.Batch files) throw new ArgumentException("Not a batch of this store.", nameof(batch));
        batch.Seal();
        var container = await ContainerAsync(cancel);
        foreach (var file in files.Files)
        {
            if (file.Stored) continue; // a retry after a partial failure writes only what is missing
            file.Content.Position = 0;
            await container.GetBlobClient(file.Name).UploadAsync(file.Content, overwrite: true, cancel);
            file.Stored = true;
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> LookupAsync(AuditQuery query, CancellationToken cancel)
    {
        var container = await ContainerAsync(cancel);
        var matches = await CloudTrailLogFiles.FindAsync(query,
            (prefix, token) => ListAsync(container, prefix, token),
            async (name, token) => (await container.GetBlobClient(name).DownloadContentAsync(token)).Value.Content.ToStream(), cancel);
        if (legacy is not null) matches.AddRange(await legacy.LookupAsync(query, cancel));

        return query.Arrange(matches);
    }

    private static async IAsyncEnumerable<string> ListAsync(BlobContainerClient container, string prefix,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancel)) yield return blob.Name;
    }

    /// <summary>The records of a CloudTrail log file (see <see cref="CloudTrailLogFiles.Entries"/>).</summary>
    public static IEnumerable<AuditEntry> Entries(ReadOnlyMemory<byte> file, string region, string? account, long firstSequence) =>
        CloudTrailLogFiles.Entries(file, region, account, firstSequence);

    /// <summary>The container, created on first use; a failed creation is tried again next time.</summary>
    private async Task<BlobContainerClient> ContainerAsync(CancellationToken cancel)
    {
        var created = _container ??= CreateAsync();
        try
        {
            return await created.WaitAsync(cancel);
        }
        catch (RequestFailedException)
        {
            _ = Interlocked.CompareExchange(ref _container, null, created);
            throw;
        }
    }

    private async Task<BlobContainerClient> CreateAsync()
    {
        var container = service.GetBlobContainerClient(options.Value.TableName);
        await container.CreateIfNotExistsAsync();
        return container;
    }
}
