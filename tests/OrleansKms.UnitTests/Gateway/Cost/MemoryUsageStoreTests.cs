using OrleansKms.Gateway.Cost;

namespace OrleansKms.UnitTests.Gateway.Cost;

/// <summary>
/// The usage store of <c>--storage memory</c>: a bill reads back every row written for its account, Region and month,
/// with all its dimensions, and a row written again (a retried flush, a later running total) replaces the earlier.
/// </summary>
public sealed class MemoryUsageStoreTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 3, 12, 0, 0, TimeSpan.Zero);
    private const string KeyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private const string Principal = "arn:aws:iam::111122223333:user/alice";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
    private readonly MemoryUsageStore _store = new();

    private static UsageRow Row(string operation, long count, DateTimeOffset? hour = null, string account = "111122223333",
        string region = "us-east-1", string writer = "w1", string detail = "") =>
        new(region, account, hour ?? Noon, writer, KeyArn, operation, Principal, detail, count);

    [Fact]
    public async Task Rows_read_back_with_every_dimension()
    {
        UsageRow[] written = [Row("Encrypt", 3), Row("GenerateDataKeyPair", 1, detail: "RSA_2048"), Row("Encrypt", 2, writer: "w2")];
        await _store.WriteAsync(written, Cancel);

        var read = await _store.ReadAsync("us-east-1", "111122223333", 2026, 11, Cancel);

        Assert.Equal(written.OrderBy(r => r.Writer).ThenBy(r => r.Operation), read.OrderBy(r => r.Writer).ThenBy(r => r.Operation));
    }

    [Fact]
    public async Task A_row_written_again_replaces_its_count()
    {
        await _store.WriteAsync([Row("Encrypt", 3)], Cancel);
        await _store.WriteAsync([Row("Encrypt", 3)], Cancel);
        await _store.WriteAsync([Row("Encrypt", 5)], Cancel);

        var read = await _store.ReadAsync("us-east-1", "111122223333", 2026, 11, Cancel);

        Assert.Equal([Row("Encrypt", 5)], read);
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public async Task A_bill_reads_only_its_account_Region_and_month()
    {
        await _store.WriteAsync(
        [
            Row("Encrypt", 1),
            Row("Encrypt", 2, hour: Noon.AddMonths(1)),
            Row("Encrypt", 4, account: "444455556666"),
            Row("Encrypt", 8, region: "eu-west-1"),
        ], Cancel);

        Assert.Equal([Row("Encrypt", 1)], await _store.ReadAsync("us-east-1", "111122223333", 2026, 11, Cancel));
        Assert.Equal([Row("Encrypt", 2, hour: Noon.AddMonths(1))], await _store.ReadAsync("us-east-1", "111122223333", 2026, 12, Cancel));
        Assert.Equal([Row("Encrypt", 8, region: "eu-west-1")], await _store.ReadAsync("eu-west-1", "111122223333", 2026, 11, Cancel));
        Assert.Empty(await _store.ReadAsync("us-west-2", "111122223333", 2026, 11, Cancel));
    }

    [Fact]
    public async Task The_count_of_a_writers_row_is_answered_without_a_read()
    {
        await _store.WriteAsync([Row("Encrypt", 3), Row("Encrypt", 5, writer: "w2")], Cancel);

        Assert.Equal(3, _store.CountOf("w1", Dimensions("Encrypt")));
        Assert.Equal(5, _store.CountOf("w2", Dimensions("Encrypt")));
        Assert.Equal(0, _store.CountOf("w1", Dimensions("Decrypt")));
        Assert.Equal(0, _store.CountOf("w3", Dimensions("Encrypt")));
    }

    private static UsageDimensions Dimensions(string operation) => new("us-east-1", "111122223333", Noon.UtcTicks, KeyArn, operation, Principal, "");
}
