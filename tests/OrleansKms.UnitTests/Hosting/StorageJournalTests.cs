using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Hosting.Durability;

namespace OrleansKms.UnitTests.Hosting;

/// <summary>
/// The journal's segments and when they may go: only once the store has saved twice after a segment closed (its
/// saves run one at a time, so the second began after the close and holds the segment's writes).
/// </summary>
public sealed class StorageJournalTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kms-journal-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeSaves _saves = new();

    private static TableWrite Write(int n) => new(TableWriteKind.Delete, "kmskeys", "pk", $"row{n}", []);

    private StorageJournal Open() => StorageJournal.Open(_directory, _saves, _time, NullLogger.Instance);

    /// <summary>One rotation tick, and time for the journal's writer to act on it.</summary>
    private async Task TickAsync()
    {
        _time.Advance(StorageJournal.RotationInterval);
        for (var i = 0; i < 50 && _saves.Checks == _checksSeen; i++) await Task.Delay(10, TestContext.Current.CancellationToken);
        _checksSeen = _saves.Checks;
    }

    private int _checksSeen;

    [Fact]
    public async Task Appended_writes_are_on_disk_when_the_append_completes_and_read_back_in_order()
    {
        await using (var journal = Open())
        {
            await Task.WhenAll(Enumerable.Range(0, 100).Select(n => journal.AppendAsync(Write(n))));
            var onDisk = StorageJournal.Read(StorageJournal.Segments(_directory)).Select(w => w.RowKey).ToHashSet();
            Assert.Equal(100, onDisk.Count);
        }

        await using (var journal = Open())
        {
            await journal.AppendAsync(Write(100));
        }

        var rows = StorageJournal.Read(StorageJournal.Segments(_directory)).Select(w => w.RowKey).ToList();
        Assert.Equal(101, rows.Count);
        Assert.Equal("row100", rows[^1]);
    }

    [Fact]
    public async Task A_closed_segment_stays_until_the_store_has_saved_twice_after_it_closed()
    {
        await using var journal = Open();
        await journal.AppendAsync(Write(1));
        _saves.Saved(_time.GetUtcNow()); // a save that may have started before the write
        await TickAsync(); // closes the segment
        Assert.Single(StorageJournal.Segments(_directory));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        _saves.Saved(_time.GetUtcNow()); // the first save after the close: it may have been serialised before it
        await TickAsync();
        Assert.Single(StorageJournal.Segments(_directory));
        Assert.Equal(0, _saves.Syncs);

        _saves.Saved(_time.GetUtcNow()); // the second: began after the first had finished
        await TickAsync();
        Assert.Empty(StorageJournal.Segments(_directory));
        Assert.Equal(1, _saves.Syncs);
    }

    [Fact]
    public async Task Under_steady_writes_the_journal_keeps_only_the_segments_of_the_last_two_saves()
    {
        // Writes all the time, a segment closed every 2 s, and a save every 10 s (a large store): five segments close
        // per save. Each save lets go of every segment closed before the save before it, so the journal stays at
        // about two saves' worth of segments however long it runs.
        await using var journal = Open();
        var most = 0;
        for (var tick = 1; tick <= 100; tick++)
        {
            await journal.AppendAsync(Write(tick));
            if (tick % 5 == 0) _saves.Saved(_time.GetUtcNow());
            await TickAsync();
            if (tick > 20) most = Math.Max(most, StorageJournal.Segments(_directory).Count);
        }

        Assert.InRange(most, 5, 12);
    }

    [Fact]
    public async Task Segments_left_by_an_earlier_run_wait_for_two_saves_after_this_start()
    {
        await using (var first = Open())
        {
            await first.AppendAsync(Write(1));
        }

        _saves.Saved(_time.GetUtcNow().AddMinutes(-1)); // an old save, from before the replay
        await using var journal = Open();
        await TickAsync();
        await TickAsync();
        Assert.Single(StorageJournal.Segments(_directory));
        _saves.Saved(_time.GetUtcNow());
        await TickAsync();
        _saves.Saved(_time.GetUtcNow());
        await TickAsync();
        Assert.Empty(StorageJournal.Segments(_directory));
    }

    [Fact]
    public async Task DeleteAll_empties_the_journal()
    {
        var journal = Open();
        await journal.AppendAsync(Write(1));
        await journal.DisposeAsync();
        journal.DeleteAll();
        Assert.Empty(StorageJournal.Segments(_directory));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => journal.AppendAsync(Write(2)));
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private sealed class FakeSaves() : SaveWatch("unused")
    {
        private DateTimeOffset? _last;

        public int Checks { get; private set; }

        public int Syncs { get; private set; }

        public void Saved(DateTimeOffset at) => _last = at;

        public override DateTimeOffset? LastSave()
        {
            Checks++;
            return _last;
        }

        public override void SyncToDisk() => Syncs++;
    }
}
