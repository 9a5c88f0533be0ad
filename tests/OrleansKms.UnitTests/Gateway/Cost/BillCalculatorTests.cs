using OrleansKms.Gateway.Cost;

namespace OrleansKms.UnitTests.Gateway.Cost;

/// <summary>A November 2026 (720 hours) bill from known facts, checked against amounts computed by hand.</summary>
public sealed class BillCalculatorTests
{
    private const string Account = "111122223333";
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset December = November.AddMonths(1);

    private static string Arn(string region, string id) => $"arn:aws:kms:{region}:{Account}:key/{id}";

    private static KeyBillingFacts Key(string id, DateTimeOffset created, string spec = "SYMMETRIC_DEFAULT", string manager = "CUSTOMER") => new()
    {
        KeyArn = Arn("us-east-1", id),
        KeySpec = spec,
        KeyManager = manager,
        CreationDate = created,
    };

    private static UsageRow Use(string region, DateTimeOffset hour, string key, string operation, long count, string detail = "", string writer = "w1") =>
        new(region, Account, hour, writer, key, operation, $"arn:aws:iam::{Account}:root", detail, count);

    /// <summary>
    /// k1: created in October, rotated 3 times in November (days 10, 20, 25: the first two charged); k2: RSA_2048 from day 5,
    /// deletion scheduled day 15 12:30, purged day 22; an AWS managed key; k4 made in the month's last hour.
    /// </summary>
    private static readonly KeyBillingFacts[] EastKeys =
    [
        Key("k1", November.AddDays(-17)) with { RotationDates = [November.AddDays(10), November.AddDays(20), November.AddDays(25)] },
        Key("k2", November.AddDays(5), "RSA_2048") with { DeletionScheduledAt = November.AddDays(15).AddHours(12.5), DeletedAt = November.AddDays(22).AddHours(12.5) },
        Key("aws", November, manager: "AWS"),
        Key("k4", December.AddMinutes(-50)),
    ];

    private static Bill NovemberBill(string? by = null, string? region = null) => BillCalculator.Compute(PriceTable.Aws, Account, 2026, 11, December.AddDays(3),
        [
            new BillRegionInput("us-east-1", EastKeys,
            [
                Use("us-east-1", November.AddHours(5), Arn("us-east-1", "k1"), "Encrypt", 600_000),
                Use("us-east-1", November.AddHours(5), Arn("us-east-1", "k1"), "Encrypt", 300_000, writer: "w2"),
                Use("us-east-1", November.AddHours(30), Arn("us-east-1", "k2"), "Sign", 10_000),
                Use("us-east-1", November.AddHours(31), Arn("us-east-1", "k1"), "GenerateDataKeyPair", 500, "RSA_4096"),
                Use("us-east-1", November.AddHours(31), Arn("us-east-1", "k1"), "GenerateDataKeyPairWithoutPlaintext", 20_000, "ECC_NIST_P256"),
                Use("us-east-1", November.AddHours(40), "arn:aws:kms:us-east-1:999999999999:key/theirs", "Sign", 10_000),
            ]),
            new BillRegionInput("eu-west-1", [], [Use("eu-west-1", November.AddHours(24), "", "ListKeys", 100_000)]),
        ], arn => arn.Contains("999999999999", StringComparison.Ordinal) ? "ECC_NIST_P256" : null, region, by);

    [Fact]
    public void November_bill_matches_the_hand_computed_amounts()
    {
        var bill = NovemberBill();

        // Key hours: k1 720, k2 from hour 120 to the start of its waiting period (372.5 -> hour 373 begun) = 253,
        // k4 1, the AWS managed key 0: 974 / 720 = 1.352777 key-months = $1.35.
        var storage = Assert.Single(bill.Lines, l => l.Item == BillCalculator.KeyStorage);
        Assert.Equal(1.352778m, storage.Quantity);
        Assert.Equal(1.35m, storage.Amount);
        // Rotations from day 10 (480 h) and day 20 (240 h); the third is free: 720 h = $1.00.
        var rotated = Assert.Single(bill.Lines, l => l.Item == BillCalculator.RotatedMaterial);
        Assert.Equal(1m, rotated.Quantity);
        Assert.Equal(1.00m, rotated.Amount);
        // 1,000,000 free-class requests; the free tier goes to the earliest (us-east-1's hour 5).
        var east = Assert.Single(bill.Lines, l => l.Region == "us-east-1" && l.PriceClass == "symmetric");
        Assert.Equal((900_000m, 20_000L, 2.64m), (east.Quantity, east.FreeRequests, east.Amount));
        var west = Assert.Single(bill.Lines, l => l.Region == "eu-west-1");
        Assert.Equal((100_000m, 0L, 0.30m), (west.Quantity, west.FreeRequests, west.Amount));
        Assert.Equal(0.03m, Line(bill, "rsa-2048").Amount);
        Assert.Equal(0.60m, Line(bill, "rsa-data-key-pair").Amount);  // 500 x $12 / 10,000
        Assert.Equal(0.20m, Line(bill, "ecc-data-key-pair").Amount);  // 20,000 x $0.10 / 10,000, no free tier
        Assert.Equal(0.15m, Line(bill, "asymmetric").Amount);         // another account's ECC key: the caller pays
        Assert.Equal(20_000, bill.FreeTierUsed);
        Assert.Equal(6.27m, bill.Total);
        Assert.True(bill.Final);
        Assert.Equal(["eu-west-1", "us-east-1"], bill.Regions);
    }

    private static BillLine Line(Bill bill, string cls) => Assert.Single(bill.Lines, l => l.PriceClass == cls);

    [Fact]
    public void One_Region_shows_its_lines_with_the_account_wide_free_tier()
    {
        var bill = NovemberBill(region: "eu-west-1");

        var line = Assert.Single(bill.Lines);
        Assert.Equal((100_000m, 0L, 0.30m), (line.Quantity, line.FreeRequests, line.Amount));
        Assert.Equal(0.30m, bill.Total);
    }

    [Fact]
    public void Breakdown_by_key_gives_each_key_its_storage_and_requests()
    {
        var bill = NovemberBill(by: "key");

        var groups = bill.Breakdown!.ToDictionary(g => g.Group);
        // k1: 1 key-month + 1 rotated key-month ($2.00) + 880,000 billable symmetric ($2.64) + pairs ($0.60 + $0.20).
        Assert.Equal((2m, 920_500L, 20_000L, 5.44m), Tuple(groups[Arn("us-east-1", "k1")]));
        // k2: 253 h ($0.351) + 10,000 RSA_2048 signs ($0.03).
        Assert.Equal(0.38m, groups[Arn("us-east-1", "k2")].Amount);
        Assert.Equal(0.30m, groups["(no key)"].Amount);
        Assert.DoesNotContain(Arn("us-east-1", "aws"), groups.Keys);
    }

    private static (decimal, long, long, decimal) Tuple(BillGroup g) => (g.KeyMonths, g.Requests, g.FreeRequests, g.Amount);

    [Fact]
    public void Breakdown_by_operation_puts_storage_in_its_own_group()
    {
        var bill = NovemberBill(by: "operation");

        var groups = bill.Breakdown!.ToDictionary(g => g.Group);
        Assert.Equal(2.35m, groups[BillCalculator.StorageGroup].Amount);
        Assert.Equal(2.64m, groups["Encrypt"].Amount);
        Assert.Equal(900_000, groups["Encrypt"].Requests);
        Assert.Equal(0.18m, groups["Sign"].Amount);
    }

    [Fact]
    public void A_bill_before_the_month_ends_counts_the_hours_so_far()
    {
        var now = November.AddDays(9).AddHours(12).AddMinutes(20);
        var bill = BillCalculator.Compute(PriceTable.Aws, Account, 2026, 11, now, [new BillRegionInput("us-east-1", [Key("k1", November.AddDays(-3))], [])]);

        var storage = Assert.Single(bill.Lines);
        Assert.Equal(Math.Round(229m / 720m, 6), storage.Quantity); // 9 days and the 13th hour begun
        Assert.Equal(0.32m, storage.Amount);
        Assert.False(bill.Final);
    }

    [Fact]
    public void Keys_deleted_before_or_made_after_the_month_cost_nothing_in_it()
    {
        KeyBillingFacts[] keys =
        [
            Key("gone", November.AddMonths(-2)) with { DeletionScheduledAt = November.AddDays(-10), DeletedAt = November.AddDays(-3) },
            Key("later", December.AddHours(2)),
        ];
        var bill = BillCalculator.Compute(PriceTable.Aws, Account, 2026, 11, December.AddDays(5), [new BillRegionInput("us-east-1", keys, [])]);

        Assert.Empty(bill.Lines);
        Assert.Equal(0m, bill.Total);
    }

    [Theory]
    [InlineData("2026-11-01T10:30:00Z", "2026-11-01T10:45:00Z", 1)]
    [InlineData("2026-11-01T10:00:00Z", "2026-11-01T12:00:00Z", 2)]
    [InlineData("2026-11-01T10:59:00Z", "2026-11-01T11:01:00Z", 2)]
    [InlineData("2026-11-01T10:00:00Z", "2026-11-01T10:00:00Z", 0)]
    public void An_hour_begun_counts_whole(string from, string to, long hours) =>
        Assert.Equal(hours, BillCalculator.Hours(DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(to, System.Globalization.CultureInfo.InvariantCulture)));
}
