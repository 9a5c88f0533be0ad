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
