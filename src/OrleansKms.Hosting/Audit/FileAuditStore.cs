using OrleansKms.Gateway.Audit;

namespace OrleansKms.Hosting.Audit;

/// <summary>
/// Audit records as CloudTrail log files in a folder of the data directory (the default local service: Azurite
/// started by the service), in the same layout and names as <see cref="AzureBlobAuditStore"/> puts in blobs, so that
/// <c>zcat</c>, <c>jq</c> and CloudTrail tools read them where they are.
/// <para>
/// Why files and not Azurite's blobs, when the data is local anyway: Azurite spent about 4 ms of its single thread per
/// upload and tens of nanoseconds per byte, a few percent of two cores under load, in bursts that made the gateway's
/// p99; and it keeps its blob index in memory, saved every few seconds, so an acknowledged upload could be lost by a
/// crash of Azurite. A file here is written beside its final name, fsync'd, renamed into place and its folder fsync'd
/// before the write returns: once written, it survives a power cut.
/// </para>
/// Records the service wrote before (blobs in Azurite, and the table rows before those) are found by lookups through
/// <c>earlier</c>. Files and folders are the service user's alone (0600 and 0700).
/// </summary>
public sealed class FileAuditStore(string root, IAuditStore? earlier = null) : IAuditStore
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode FolderMode = FileMode | UnixFileMode.UserExecute;
    private readonly string _writer = Guid.NewGuid().ToString("N")[..12];

    /// <summary>The folder the log files are in.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    public Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancel) => CloudTrailLogFiles.AppendAsync(this, entries, cancel);

    /// <summary>A batch that gzips each record into its log file as the writer adds it (<see cref="CloudTrailLogFiles.Batch"/>).</summary>
    public AuditBatch StartBatch() => new CloudTrailLogFiles.Batch(_writer);

    public async Task WriteAsync(AuditBatch batch, CancellationToken cancel)
    {
        if (batch is not CloudTrailLogFiles.Batch files) throw new ArgumentException("Not a batch of this store.", nameof(batch));
        batch.Seal();
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files.Files)
        {
            if (file.Stored) continue; // a retry after a partial failure writes only what is missing
            var path = PathOf(file.Name);
            var folder = Path.GetDirectoryName(path)!;
            CreateFolders(folder, folders);
            var partial = path + ".partial";
            file.Content.Position = 0;
            var create = new FileStreamOptions { Mode = System.IO.FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = FileMode;
            await using (var stream = new FileStream(partial, create))
            {
                await file.Content.CopyToAsync(stream, cancel);
                stream.Flush(flushToDisk: true);
            }

            File.Move(partial, path, overwrite: true);
            folders.Add(folder);
            file.Stored = true;
        }

        foreach (var folder in folders) Posix.SyncDirectory(folder);
    }

    public async Task<IReadOnlyList<AuditEntry>> LookupAsync(AuditQuery query, CancellationToken cancel)
    {
        var matches = await CloudTrailLogFiles.FindAsync(query, List,
            (name, _) => Task.FromResult<Stream>(File.OpenRead(PathOf(name))), cancel);
        if (earlier is not null) matches.AddRange(await earlier.LookupAsync(query, cancel));
        return query.Arrange(matches);
    }

    /// <summary>The files under a folder of the layout, as names relative to the root with '/' between parts.</summary>
    private async IAsyncEnumerable<string> List(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        var folder = PathOf(prefix);
        if (!Directory.Exists(folder)) yield break;
        foreach (var path in Directory.EnumerateFiles(folder, "*.json.gz", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            cancel.ThrowIfCancellationRequested();
            yield return Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');
        }

        await Task.CompletedTask;
    }

    private string PathOf(string name) => Path.Combine(Root, name.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>
    /// Creates a folder and those above it up to the root, each 0700 (an existing folder keeps its mode); the folder
    /// holding each new one joins <paramref name="toSync"/>, so the new entry is made durable too.
    /// </summary>
    private void CreateFolders(string folder, HashSet<string> toSync)
    {
        if (Directory.Exists(folder)) return;
        var parent = Path.GetDirectoryName(folder);
        if (parent is not null && !string.Equals(folder, Root, StringComparison.Ordinal) && folder.StartsWith(Root, StringComparison.Ordinal))
            CreateFolders(parent, toSync);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, FolderMode);
        if (parent is not null) toSync.Add(parent);
    }
}
