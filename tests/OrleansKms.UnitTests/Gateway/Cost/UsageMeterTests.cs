using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Gateway;
using OrleansKms.Gateway.Auth;
using OrleansKms.Gateway.Cost;

namespace OrleansKms.UnitTests.Gateway.Cost;

/// <summary>The meter counts answered requests in memory and writes running totals, so a retried write never counts twice.</summary>
public sealed class UsageMeterTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 3, 12, 15, 0, TimeSpan.Zero);
    private const string KeyArn = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(Noon);

    private UsageMeter Meter(IUsageStore store) =>
        new(store, Options.Create(new KmsCostOptions()), NullLogger<UsageMeter>.Instance, _clock);

    private static KmsRequestRecord Request(string operation, string? response, string? error = null, bool anonymous = false) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        Time = Noon,
        Operation = operation,
        Region = "us-east-1",
        Identity = anonymous ? null : KmsIdentity.Development,
        RequestBody = Encoding.UTF8.GetBytes("{}"),
        ResponseBody = response is null ? null : Encoding.UTF8.GetBytes(response),
        ErrorCode = error,
    };

    private static string Encrypted => $$"""{"CiphertextBlob":"AAAA","KeyId":"{{KeyArn}}","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}""";

    [Fact]
    public async Task Successful_requests_are_counted_per_hour_key_and_operation()
    {
        var store = new MemoryUsageStore();
        var meter = Meter(store);
        for (var i = 0; i < 3; i++) meter.Observe(Request("Encrypt", Encrypted));
        meter.Observe(Request("GenerateDataKeyPair", $$"""{"KeyId":"{{KeyArn}}","KeyPairSpec":"RSA_2048","PublicKey":"AAAA"}"""));
        meter.Observe(Request("Encrypt", null, error: "DisabledException"));
        meter.Observe(Request("Encrypt", Encrypted, anonymous: true));
        _clock.Advance(TimeSpan.FromHours(1)); // counted in the KMS clock's hours
        meter.Observe(Request("Encrypt", Encrypted));

        await meter.FlushAsync(Cancel);

        var rows = await store.ReadAsync("us-east-1", "000000000000", 2026, 11, Cancel);
        Assert.Equal(
            [("Encrypt", Noon.AddMinutes(-15), "", 3L), ("Encrypt", Noon.AddMinutes(45), "", 1L), ("GenerateDataKeyPair", Noon.AddMinutes(-15), "RSA_2048", 1L)],
            rows.OrderBy(r => r.Operation).ThenBy(r => r.Hour).Select(r => (r.Operation, r.Hour, r.Detail, r.Count)));
        Assert.All(rows, r => Assert.Equal((KeyArn, meter.Writer, "arn:aws:iam::000000000000:root"), (r.KeyArn, r.Writer, r.Principal)));
    }

    [Theory]
    [InlineData("DescribeKey", $$$"""{"KeyMetadata":{"AWSAccountId":"000000000000","KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","Arn":"{{{KeyArn}}}","Description":"has \"KeyId\":\"x\" in it"}}""", KeyArn, "")]
    [InlineData("ReEncrypt", $$"""{"CiphertextBlob":"AAAA","SourceKeyId":"arn:aws:kms:us-east-1:000000000000:key/source","KeyId":"{{KeyArn}}"}""", KeyArn, "")]
    [InlineData("ListKeys", """{"Keys":[{"KeyArn":"arn:aws:kms:us-east-1:000000000000:key/k","KeyId":"k"}],"Truncated":false}""", "", "")]
    [InlineData("GetPublicKey", $$"""{"KeyId":"{{KeyArn}}","PublicKey":"AAAA","KeySpec":"ECC_NIST_P256","KeyUsage":"SIGN_VERIFY"}""", KeyArn, "ECC_NIST_P256")]
    [InlineData("Sign", $$"""{"KeyId":"{{KeyArn}}","Signature":"AAAA","SigningAlgorithm":"ECDSA_SHA_256"}""", KeyArn, "")]
    public async Task The_key_and_the_spec_that_prices_a_request_come_from_its_answer(string operation, string answer, string key, string detail)
    {
        var store = new MemoryUsageStore();
        var meter = Meter(store);
        meter.Observe(Request(operation, answer));
        await meter.FlushAsync(Cancel);

        var row = Assert.Single(await store.ReadAsync("us-east-1", "000000000000", 2026, 11, Cancel));
        Assert.Equal((operation, key, detail, 1L), (row.Operation, row.KeyArn, row.Detail, row.Count));
    }

    [Fact]
    public async Task A_write_that_failed_is_made_whole_by_the_next_flush_without_double_counting()
    {
        var store = new FlakyStore();
        var meter = Meter(store);
        for (var i = 0; i < 4; i++) meter.Observe(Request("Encrypt", Encrypted));
        await meter.FlushAsync(Cancel);
        meter.Observe(Request("Encrypt", Encrypted));

        store.FailNext = true; // written to storage, but the answer was lost: the meter cannot know
        await Assert.ThrowsAsync<IOException>(() => meter.FlushAsync(Cancel));
        Assert.Equal(1, meter.Unwritten);
        await meter.FlushAsync(Cancel);

        var row = Assert.Single(await store.ReadAsync("us-east-1", "000000000000", 2026, 11, Cancel));
        Assert.Equal(5, row.Count);
        Assert.Equal(0, meter.Unwritten);
    }

    [Fact]
    public async Task Hours_long_over_are_forgotten_once_written()
    {
        var store = new MemoryUsageStore();
        var meter = Meter(store);
        meter.Observe(Request("Encrypt", Encrypted));
        await meter.FlushAsync(Cancel);
        _clock.Advance(TimeSpan.FromHours(3));
        meter.Observe(Request("Encrypt", Encrypted));
        await meter.FlushAsync(Cancel);
        await meter.FlushAsync(Cancel);

        var rows = await store.ReadAsync("us-east-1", "000000000000", 2026, 11, Cancel);
        Assert.Equal([1L, 1L], rows.Select(r => r.Count));
        Assert.Equal(1, meter.Tracked);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_quiet_counter_leaves_memory_and_its_row_counts_on_when_the_key_is_used_again(bool storeAnswersCounts)
    {
        var store = storeAnswersCounts ? new MemoryUsageStore() : (IUsageStore)new FlakyStore();
        var meter = Meter(store);
        for (var i = 0; i < 3; i++) meter.Observe(Request("Encrypt", Encrypted));
        await meter.FlushAsync(Cancel);
        _clock.Advance(UsageMeter.RetireAfter - TimeSpan.FromSeconds(1));
        await meter.FlushAsync(Cancel);
        Assert.Equal(1, meter.Tracked);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await meter.FlushAsync(Cancel);
        Assert.Equal(0, meter.Tracked);
        // The memory store has the count; another store's is kept by the meter as a number.
        Assert.Equal(storeAnswersCounts ? 0 : 1, meter.RetiredRows);

        meter.Observe(Request("Encrypt", Encrypted));
        meter.Observe(Request("Encrypt", Encrypted));
        await meter.FlushAsync(Cancel);

        var row = Assert.Single(await store.ReadAsync("us-east-1", "000000000000", 2026, 11, Cancel));
        Assert.Equal(("Encrypt", 5L, meter.Writer), (row.Operation, row.Count, row.Writer));
        Assert.Equal(0, meter.Unwritten);
    }

    [Fact]
    public async Task Counts_the_meter_kept_are_forgotten_two_hours_after_their_hour()
    {
        var meter = Meter(new FlakyStore());
        meter.Observe(Request("Encrypt", Encrypted));
        await meter.FlushAsync(Cancel);
        _clock.Advance(UsageMeter.RetireAfter);
        await meter.FlushAsync(Cancel);
        Assert.Equal(1, meter.RetiredRows);

        _clock.Advance(TimeSpan.FromMinutes(105)); // 14:01: the hour of the count began more than two hours ago
        await meter.FlushAsync(Cancel);

        Assert.Equal(0, meter.RetiredRows);
    }

    /// <summary>
    /// Requests race the retirement of their counters: the callers wait while a flush writes, so that the counters it
    /// wrote are quiet when it goes on to retire them, and count again while it retires them. A request whose counter
    /// is retired between its look-up and its increment must count in the row's next counter.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task No_request_is_lost_while_counters_retire_as_requests_come(bool storeAnswersCounts)
    {
        var store = storeAnswersCounts ? new GatedCountingStore() : new GatedStore();
        var meter = Meter(store);
        var requests = Enumerable.Range(0, 4096).Select(k => Request("Encrypt", Encrypted.Replace("1234abcd", $"{k:x8}", StringComparison.Ordinal))).ToArray();
        var stop = false;
        var observed = 0L;
        var inside = 0;
        var callers = Enumerable.Range(0, 2).Select(c => Task.Run(() =>
        {
            var random = new Random(c);
            while (!Volatile.Read(ref stop))
            {
                store.Open.Wait(Cancel);
                // Not while the test moves the clock: a caller that read the clock before a move and counted after
                // it (the machine can leave a thread waiting while the fake clock moves hours on) would count in an
                // hour whose retired count the meter has already forgotten. Real requests take milliseconds.
                Interlocked.Increment(ref inside);
                if (store.Open.IsSet) meter.Observe(requests[random.Next(requests.Length)]);
                else Interlocked.Decrement(ref observed);
                Interlocked.Decrement(ref inside);
                Interlocked.Increment(ref observed);
            }
        })).ToList();
        for (var flush = 0; flush < 300 || Volatile.Read(ref observed) < 400_000; flush++)
        {
            store.Open.Reset();
            SpinWait.SpinUntil(() => Volatile.Read(ref inside) == 0);
            _clock.Advance(UsageMeter.RetireAfter);
            await meter.FlushAsync(Cancel);
            store.Open.Set();
        }

        Volatile.Write(ref stop, true);
        store.Open.Set();
        await Task.WhenAll(callers);
        await meter.FlushAsync(Cancel);

        var counted = 0L;
        for (var month = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero); month <= _clock.GetUtcNow(); month = month.AddMonths(1)) // a minute a flush: may run for weeks
            counted += (await store.ReadAsync("us-east-1", "000000000000", month.Year, month.Month, Cancel)).Sum(r => r.Count);
        Assert.Equal(observed, counted);
    }

    [Fact]
    public void Counting_a_request_whose_row_is_already_counted_allocates_nothing()
    {
        var meter = Meter(new MemoryUsageStore());
        KmsRequestRecord[] requests =
        [
            Request("Encrypt", Encrypted),
            Request("DescribeKey", $$$"""{"KeyMetadata":{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","Arn":"{{{KeyArn}}}"}}"""),
            Request("GenerateDataKeyPair", $$"""{"KeyId":"{{KeyArn}}","KeyPairSpec":"RSA_2048","PublicKey":"AAAA"}"""),
        ];
        for (var i = 0; i < 100; i++)
            foreach (var request in requests) meter.Observe(request);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
            foreach (var request in requests) meter.Observe(request);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 1000, $"3000 requests of rows already counted allocated {allocated} bytes.");
        Assert.Equal(3, meter.Tracked);
    }

    /// <summary>A memory store that answers no counts, with a gate its writes open (the callers of the race test wait while it is closed).</summary>
    private class GatedStore : IUsageStore
    {
        protected MemoryUsageStore Inner { get; } = new();
        /// <summary>Reset by the test before each flush, set by the flush's write (and by the test after it).</summary>
        public ManualResetEventSlim Open { get; } = new(true);

        public async Task WriteAsync(IReadOnlyList<UsageRow> rows, CancellationToken cancel)
        {
            await Inner.WriteAsync(rows, cancel);
            Open.Set();
        }

        public Task<IReadOnlyList<UsageRow>> ReadAsync(string region, string accountId, int year, int month, CancellationToken cancel) =>
            Inner.ReadAsync(region, accountId, year, month, cancel);
    }

    private sealed class GatedCountingStore : GatedStore, IUsageCountLookup
    {
        public long CountOf(string writer, in UsageDimensions dimensions) => Inner.CountOf(writer, dimensions);
    }

    /// <summary>Stores the rows, then (once) fails as a timeout after the write would.</summary>
    private sealed class FlakyStore : IUsageStore
    {
        private readonly MemoryUsageStore _inner = new();

        public bool FailNext { get; set; }

        public async Task WriteAsync(IReadOnlyList<UsageRow> rows, CancellationToken cancel)
        {
            await _inner.WriteAsync(rows, cancel);
            if (!FailNext) return;
            FailNext = false;
            throw new IOException("The write timed out.");
        }

        public Task<IReadOnlyList<UsageRow>> ReadAsync(string region, string accountId, int year, int month, CancellationToken cancel) =>
            _inner.ReadAsync(region, accountId, year, month, cancel);
    }
}
