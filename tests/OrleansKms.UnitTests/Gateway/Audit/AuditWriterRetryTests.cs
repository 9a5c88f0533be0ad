using System.IO.Compression;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Audit;
using OrleansKms.Gateway.Auth;
using OrleansKms.Hosting.Audit;

namespace OrleansKms.UnitTests.Gateway.Audit;

/// <summary>The audit writer's batches: a failed write is retried as it was, and what came meanwhile follows it, in order.</summary>
public sealed class AuditWriterRetryTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A memory store whose first writes fail, and which remembers each write's records.</summary>
    private sealed class FlakyStore(int failures) : IAuditStore
    {
        private readonly MemoryAuditStore _inner = new();
        private int _failures = failures;

        public List<List<string>> Writes { get; } = [];

        public int Attempts { get; private set; }

        public Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancel)
        {
            Attempts++;
            if (_failures-- > 0) throw new IOException("storage down");
            Writes.Add([.. entries.Select(e => e.EventId)]);
            return _inner.AppendAsync(entries, cancel);
        }

        public Task<IReadOnlyList<AuditEntry>> LookupAsync(AuditQuery query, CancellationToken cancel) => _inner.LookupAsync(query, cancel);
    }

    private static AuditWriter Writer(IAuditStore store) =>
        new(store, new AuditRecordBuilder(new IdentityStore([KmsIdentity.Development]), "us-east-1"),
            Options.Create(new KmsAuditOptions { BatchSize = 3 }), NullLogger<AuditWriter>.Instance);

    private static KmsServiceEvent Rotation(int i) =>
        new("RotateKey", new KeyArn("us-east-1", "000000000000", $"1234abcd-12ab-34cd-56ef-{i:D12}"), DateTimeOffset.UnixEpoch.AddSeconds(i), []);

    [Fact]
    public async Task A_failed_batch_is_written_again_unchanged_and_later_records_follow_in_order()
    {
        var store = new FlakyStore(failures: 2);
        await using var writer = Writer(store);
        for (var i = 0; i < 7; i++) writer.Record(Rotation(i));

        await writer.FlushAsync(Cancel);

        Assert.Equal(2 + 3, store.Attempts); // the first batch twice refused, then three writes
        Assert.Equal([3, 3, 1], store.Writes.Select(w => w.Count));
        var stored = await store.LookupAsync(new AuditQuery("us-east-1", "000000000000", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1))
            { MaxResults = 100, Ascending = true }, Cancel);
        Assert.Equal(store.Writes.SelectMany(w => w), stored.Select(e => e.EventId));
        Assert.Equal(7, stored.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 7).Select(i => DateTimeOffset.UnixEpoch.AddSeconds(i)), stored.Select(e => e.EventTime));
    }

    [Fact]
    public async Task Records_from_many_threads_are_all_written_once_and_beyond_the_capacity_dropped_and_counted()
    {
        var store = new FlakyStore(failures: 0);
        await using (var writer = new AuditWriter(store, new AuditRecordBuilder(new IdentityStore([KmsIdentity.Development]), "us-east-1"),
            Options.Create(new KmsAuditOptions { BatchSize = 1000, Capacity = 4000 }), NullLogger<AuditWriter>.Instance))
        {
            // Four threads add 1,500 each to a queue of 4,000 that nothing takes from meanwhile.
            await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 1500; i++) writer.Record(Rotation(t * 1500 + i));
            }, Cancel)));
            Assert.Equal(2000, writer.Dropped);

            await writer.FlushAsync(Cancel);
            writer.Record(Rotation(9999)); // room again once written
            await writer.FlushAsync(Cancel);
            Assert.Equal(2000, writer.Dropped);
        }

        var written = store.Writes.SelectMany(w => w).ToList();
        Assert.Equal(4001, written.Count);
        Assert.Equal(4001, written.Distinct().Count());
    }

    [Fact]
    public void A_sealed_batch_takes_no_more_records()
    {
        using var batch = new AuditBatch();
        batch.Seal();
        Assert.Throws<InvalidOperationException>(() => batch.Add(new AuditEntry("us-east-1", null, DateTimeOffset.UnixEpoch, 1, "e", "Encrypt", null, null, [], "{}")));
    }
}

/// <summary>The pooled stream the log files are compressed into: appends across chunks, reads back, rewinds for a retried upload.</summary>
public sealed class PooledChunkStreamTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_536)]
    [InlineData(200_001)]
    public void What_is_written_reads_back_whole_and_again_after_a_rewind(int size)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        using var stream = new PooledChunkStream();
        for (var at = 0; at < size; at += 1000) stream.Write(data.AsSpan(at, Math.Min(1000, size - at)));
        Assert.Equal(size, stream.Length);

        for (var pass = 0; pass < 2; pass++)
        {
            stream.Position = 0;
            var read = new MemoryStream();
            stream.CopyTo(read, 4096);
            Assert.Equal(data, read.ToArray());
        }
    }

    [Fact]
    public void A_gzip_written_into_it_decompresses_to_the_records()
    {
        using var stream = new PooledChunkStream();
        var records = Enumerable.Range(0, 5000).Select(i => $"{{\"eventID\":\"{Guid.NewGuid()}\",\"n\":{i}}}").ToList();
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
        {
            foreach (var r in records) gzip.Write(System.Text.Encoding.UTF8.GetBytes(r + "\n"));
        }

        stream.Position = 0;
        using var reader = new StreamReader(new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true));
        Assert.Equal(records, reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
