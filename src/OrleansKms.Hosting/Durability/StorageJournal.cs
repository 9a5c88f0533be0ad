using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace OrleansKms.Hosting.Durability;

/// <summary>
/// The write-ahead journal that makes the default store (Azurite) as durable as its answers: every table write that
/// Azurite acknowledges is appended here and fsync'd before the write returns to the silo, so before the KMS answers.
/// Azurite itself keeps its tables in memory and saves them to disk only every 5 seconds; after a crash the journal
/// is replayed into it at start (<see cref="JournalReplay"/>).
/// <para>
/// Appends are group-committed: one writer drains every waiting record, writes them, fsyncs once and releases them
/// all. The journal is a folder of numbered segments. The current segment is closed every
/// <see cref="RotationInterval"/>; a closed segment is deleted once Azurite has saved its table database twice
/// after the close (<see cref="SaveWatch"/>): Azurite's saves run one at a time, so the second began after the first
/// had finished, after the close, and holds every write of the segment. On a clean stop, once Azurite has closed
/// its tables (which saves them), the whole journal is deleted.
/// </para>
/// </summary>
public sealed class StorageJournal : IAsyncDisposable
{
    /// <summary>How often the current segment is closed and the closed ones checked against Azurite's saves.</summary>
    public static readonly TimeSpan RotationInterval = TimeSpan.FromSeconds(2);

    private const string Extension = ".journal";
    private readonly string _directory;
    private readonly SaveWatch _saves;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<ClosedSegment> _closed = [];
    private readonly Task _writer;
    private readonly ITimer _rotation;
    private FileStream? _current;
    private long _nextNumber;

    private StorageJournal(string directory, IReadOnlyList<string> existing, SaveWatch saves, TimeProvider time, ILogger logger)
    {
        _directory = directory;
        _saves = saves;
        _time = time;
        _logger = logger;
        var closedAt = time.GetUtcNow();
        foreach (var path in existing) _closed.Add(new ClosedSegment(path, closedAt));
        _nextNumber = existing.Count == 0 ? 1 : Number(existing[^1]) + 1;
        _writer = Task.Run(WriteLoopAsync);
        _rotation = time.CreateTimer(_ => _queue.Writer.TryWrite(Entry.Rotate), null, RotationInterval, RotationInterval);
    }

    /// <summary>The segments the journal folder holds, oldest first: what a restart replays.</summary>
    public static IReadOnlyList<string> Segments(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*" + Extension).Where(p => long.TryParse(Path.GetFileNameWithoutExtension(p), out _)).OrderBy(Number).ToList()
            : [];

    /// <summary>Every write the segments hold, in the order they were acknowledged.</summary>
    public static IEnumerable<TableWrite> Read(IEnumerable<string> segments)
    {
        foreach (var segment in segments)
        {
            using var stream = File.OpenRead(segment);
            foreach (var write in TableWrite.ReadFrames(stream)) yield return write;
        }
    }

    /// <summary>
    /// Opens the journal in <paramref name="directory"/>. Segments already there (replayed by the caller) are kept
    /// until Azurite has saved what they hold, as the segments written from now on are.
    /// </summary>
    public static StorageJournal Open(string directory, SaveWatch saves, TimeProvider time, ILogger logger)
    {
        Directory.CreateDirectory(directory);
        return new StorageJournal(directory, Segments(directory), saves, time, logger);
    }

    /// <summary>Appends one acknowledged write; completes once it is on disk.</summary>
    public Task AppendAsync(TableWrite write)
    {
        var entry = new Entry(write.ToFrame());
        if (!_queue.Writer.TryWrite(entry)) throw new ObjectDisposedException(nameof(StorageJournal), "The storage journal is closed.");
        return entry.Done.Task;
    }

    /// <summary>
    /// Deletes every segment: call only once storage has saved everything the journal holds (Azurite closed its
    /// tables cleanly), after <see cref="DisposeAsync"/>.
    /// </summary>
    public void DeleteAll()
    {
        foreach (var segment in Segments(_directory)) File.Delete(segment);
        Posix.SyncDirectory(_directory);
        _logger.LogDebug("Storage journal emptied: storage saved everything it held.");
    }

    /// <summary>Writes what is waiting and closes the current segment. Segments stay for the next start unless <see cref="DeleteAll"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await _rotation.DisposeAsync();
        _queue.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Entry>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            var rotate = false;
            while (_queue.Reader.TryRead(out var entry))
            {
                if (entry.Frame is null) rotate = true;
                else batch.Add(entry);
            }

            if (batch.Count > 0) Commit(batch);
            batch.Clear();
            if (rotate) Rotate();
        }

        CloseCurrent();
    }

    private void Commit(List<Entry> batch)
    {
        try
        {
            _current ??= NewSegment();
            foreach (var entry in batch) _current.Write(entry.Frame);
            _current.Flush(flushToDisk: true);
            foreach (var entry in batch) entry.Done.TrySetResult();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Could not write the storage journal in {Directory}; the writes waiting on it fail.", _directory);
            var failure = new IOException($"The storage journal in {_directory} could not be written: {e.Message}", e);
            foreach (var entry in batch) entry.Done.TrySetException(failure);
            CloseCurrent();
        }
    }

    /// <summary>Closes the current segment (if it holds anything) and deletes the closed segments Azurite has saved.</summary>
    private void Rotate()
    {
        CloseCurrent();
        if (_closed.Count == 0) return;
        if (_saves.LastSave() is not { } save) return;
        // Every segment closed before this save notes it as its first: noting it only for the oldest segment waiting
        // (as an earlier version did) let one segment go per save while more than one closes per save under load, and
        // the journal grew without end.
        foreach (var segment in _closed)
            if (save > segment.ClosedAt) segment.FirstSave ??= save;

        var saved = 0;
        foreach (var segment in _closed)
        {
            if (segment.FirstSave is not { } first || save <= first) break;
            saved++;
        }

        if (saved == 0) return;
        try
        {
            _saves.SyncToDisk();
            foreach (var segment in _closed.Take(saved)) File.Delete(segment.Path);
            Posix.SyncDirectory(_directory);
            _closed.RemoveRange(0, saved);
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "Could not remove saved storage journal segments from {Directory}; they will be tried again.", _directory);
        }
    }

    private void CloseCurrent()
    {
        if (_current is null) return;
        var path = _current.Name;
        try
        {
            _current.Dispose();
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "Closing storage journal segment {Path}", path);
        }

        _current = null;
        _closed.Add(new ClosedSegment(path, _time.GetUtcNow()));
    }

    private FileStream NewSegment()
    {
        var path = Path.Combine(_directory, _nextNumber++.ToString("D12", System.Globalization.CultureInfo.InvariantCulture) + Extension);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var stream = new FileStream(path, options);
        Posix.SyncDirectory(_directory);
        return stream;
    }

    private static long Number(string path) => long.Parse(Path.GetFileNameWithoutExtension(path), System.Globalization.CultureInfo.InvariantCulture);

    private sealed class ClosedSegment(string path, DateTimeOffset closedAt)
    {
        public string Path { get; } = path;

        public DateTimeOffset ClosedAt { get; } = closedAt;

        /// <summary>The time of the first save of Azurite's database seen after the close.</summary>
        public DateTimeOffset? FirstSave { get; set; }
    }

    private sealed class Entry(byte[]? frame)
    {
        /// <summary>Not a write: the rotation timer's tick.</summary>
        public static readonly Entry Rotate = new(null);

        public byte[]? Frame { get; } = frame;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
