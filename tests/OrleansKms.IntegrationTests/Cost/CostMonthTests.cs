using System.Text;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Gateway.Cost;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cost;

/// <summary>
/// A server whose KMS clock starts on 2026-11-01 00:00 UTC and is moved by the test; the free tier is cut to 50
/// requests so a few SDK calls cross it. Accounts: A (root and bob) and B (root).
/// </summary>
public sealed class CostMonthFixture : KmsServerFixture
{
    public const string A = "555555555555", B = "666666666666";
    public static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(November);

    protected override void Configure(KmsServerOptions options)
    {
        var file = Path.Combine(Path.GetTempPath(), $"kms-cost-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, $$"""
            { "identities": [
                { "accessKeyId": "COSTROOTA", "secretAccessKey": "s", "accountId": "{{A}}" },
                { "accessKeyId": "COSTBOB", "secretAccessKey": "s", "accountId": "{{A}}", "principalArn": "arn:aws:iam::{{A}}:user/bob" },
                { "accessKeyId": "COSTROOTB", "secretAccessKey": "s", "accountId": "{{B}}" } ] }
            """);
        options.IdentitiesFile = file;
        options.ConfigureServices = s =>
        {
            s.AddKeyedSingleton<TimeProvider>(KmsTime.ServiceKey, Clock);
            s.Configure<KmsCostOptions>(o => o.Prices = PriceTable.Aws with { FreeTierRequests = 50 });
        };
    }

    public void At(DateTimeOffset time) => Clock.SetUtcNow(time);

    /// <summary>What a key's lifecycle reminder does when it fires.</summary>
    public Task RunKeysTimerAsync(string keyId) =>
        Server.RegionServices("us-east-1").GetRequiredService<IGrainFactory>()
            .GetGrain<IKeyGrain>(new KeyArn("us-east-1", A, keyId).Value).RunDueWorkAsync();
}

/// <summary>
/// November 2026 on a fake clock: keys created at known hours, rotated three times, one deleted and purged, one whose
/// deletion was cancelled; requests of five price classes crossing the free tier. The bill printed by the <c>kms</c>
/// process is compared to amounts computed by hand.
/// </summary>
public sealed class CostMonthTests(CostMonthFixture fixture) : IClassFixture<CostMonthFixture>
{
    private static readonly DateTimeOffset November = CostMonthFixture.November;
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_months_bill_is_what_hand_computation_says()
    {
        using var kms = fixture.Client("COSTROOTA", "s");
        var k1 = (await kms.CreateKeyAsync(new CreateKeyRequest(), Cancel)).KeyMetadata.KeyId; // symmetric 1

        fixture.At(November.AddDays(5));
        var k2 = (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.RSA_2048, KeyUsage = KeyUsageType.SIGN_VERIFY }, Cancel)).KeyMetadata.KeyId; // 2
        for (var i = 0; i < 5; i++) await SignAsync(kms, k2, SigningAlgorithmSpec.RSASSA_PSS_SHA_256); // rsa-2048 x5
        var refused = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => kms.EncryptAsync(new EncryptRequest { KeyId = k2, Plaintext = Bytes("x") }, Cancel));
        Assert.NotNull(refused); // a failed request is not billed

        fixture.At(November.AddDays(9));
        var k3 = (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.ECC_NIST_P256, KeyUsage = KeyUsageType.SIGN_VERIFY }, Cancel)).KeyMetadata.KeyId; // 3
        for (var i = 0; i < 4; i++) await SignAsync(kms, k3, SigningAlgorithmSpec.ECDSA_SHA_256); // asymmetric x4

        fixture.At(November.AddDays(10));
        await kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = k1 }, Cancel); // 4
        fixture.At(November.AddDays(11));
        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = k3, PendingWindowInDays = 7 }, Cancel); // 5
        fixture.At(November.AddDays(12));
        await kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = k3 }, Cancel); // 6: as if never scheduled
        fixture.At(November.AddDays(15).AddHours(12.5));
        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = k2, PendingWindowInDays = 7 }, Cancel); // 7
        fixture.At(November.AddDays(20));
        await kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = k1 }, Cancel); // 8
        fixture.At(November.AddDays(22).AddHours(12.5));
        await fixture.RunKeysTimerAsync(k2); // purged: only its tombstone is left
        await Assert.ThrowsAsync<NotFoundException>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = k2 }, Cancel));
        fixture.At(November.AddDays(25));
        await kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = k1 }, Cancel); // 9: the third rotation is free

        fixture.At(November.AddDays(27));
        for (var i = 0; i < 60; i++) await kms.EncryptAsync(new EncryptRequest { KeyId = k1, Plaintext = Bytes($"m{i}") }, Cancel); // 10..69
        for (var i = 0; i < 2; i++) await kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = k1, KeyPairSpec = DataKeyPairSpec.RSA_2048 }, Cancel);
        for (var i = 0; i < 3; i++) await kms.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = k1, KeyPairSpec = DataKeyPairSpec.ECC_NIST_P256 }, Cancel);
        fixture.At(November.AddMonths(1).AddHours(2));

        var run = await CostProcess.KmsAsync(fixture.Server.Endpoint, "COSTROOTA", "s", "cost", "--month", "2026-11", "--output", "json");
        Assert.True(run.Code == 0, run.Error);
        var bill = JsonNode.Parse(run.Output)!;

        // Hours: k1 720; k2 from hour 120 to its deletion being scheduled at hour 372.5 (the begun hour counts) = 253;
        // k3 from hour 216 to the end = 504. 1477 / 720 = 2.051389 key-months = $2.05.
        Assert.Equal((2.051389m, 2.05m), Storage(bill, "Key storage"));
        // Rotations at hours 240 and 480 add 480 + 240 hours; the third rotation adds nothing.
        Assert.Equal((1m, 1.00m), Storage(bill, "Rotated key material"));
        // Requests, priced per 10,000: 69 symmetric of which 50 free, 19 x $0.03 rounds to $0.00; and so on.
        Assert.Equal((69m, 50L, 0.00m), Requests(bill, "symmetric"));
        Assert.Equal((5m, 0L, 0.00m), Requests(bill, "rsa-2048"));
        Assert.Equal((4m, 0L, 0.00m), Requests(bill, "asymmetric"));
        Assert.Equal((2m, 0L, 0.00m), Requests(bill, "rsa-data-key-pair"));
        Assert.Equal((3m, 0L, 0.00m), Requests(bill, "ecc-data-key-pair"));
        Assert.Equal(7, bill["lines"]!.AsArray().Count);
        Assert.Equal(3.05m, bill["total"]!.GetValue<decimal>());
        Assert.Equal(50, bill["freeTierUsed"]!.GetValue<long>());
        Assert.True(bill["final"]!.GetValue<bool>());
        Assert.Equal(CostMonthFixture.A, bill["accountId"]!.GetValue<string>());

        var table = await CostProcess.KmsAsync(fixture.Server.Endpoint, "COSTROOTA", "s", "cost", "--month", "2026-11", "--by", "key");
        Assert.True(table.Code == 0, table.Error);
        Assert.Contains("TOTAL $3.05 USD", table.Output, StringComparison.Ordinal);
        Assert.Matches(@"us-east-1\s+Key storage\s+2\.0514\s+key-months\s+\$1\.00/mo\s+\$2\.05", table.Output);
        Assert.Matches(@"us-east-1\s+Requests \(symmetric\)\s+69\s+requests\s+\$0\.03/10k\s+50\s+\$0\.00", table.Output);
        // The free tier went to the month's first 50 free-class requests: the 3 CreateKeys, k1's 3 rotations, k3's
        // schedule and cancel, k2's schedule, then 41 of k1's 60 Encrypts.
        // k1: 1 key-month and 1 rotated key-month, 69 requests (45 free); k2: 253 h = $0.35, its creation, 5 signs and
        // its schedule; k3: 504 h = $0.70, its creation, 4 signs, schedule and cancel.
        Assert.Matches($@"arn:aws:kms:us-east-1:{CostMonthFixture.A}:key/{k1}\s+2\.0000\s+69\s+45\s+\$2\.00", table.Output);
        Assert.Matches($@"arn:aws:kms:us-east-1:{CostMonthFixture.A}:key/{k2}\s+0\.3514\s+7\s+2\s+\$0\.35", table.Output);
        Assert.Matches($@"arn:aws:kms:us-east-1:{CostMonthFixture.A}:key/{k3}\s+0\.7000\s+7\s+3\s+\$0\.70", table.Output);
        Assert.DoesNotContain("(no key)", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_account_sees_only_its_own_bill_and_a_user_is_refused()
    {
        var other = await CostProcess.KmsAsync(fixture.Server.Endpoint, "COSTROOTB", "s", "cost", "--month", "2026-11", "--output", "json");
        Assert.True(other.Code == 0, other.Error);
        var bill = JsonNode.Parse(other.Output)!;
        Assert.Equal(CostMonthFixture.B, bill["accountId"]!.GetValue<string>());
        Assert.Empty(bill["lines"]!.AsArray());
        Assert.Equal(0m, bill["total"]!.GetValue<decimal>());

        var bob = await CostProcess.KmsAsync(fixture.Server.Endpoint, "COSTBOB", "s", "cost", "--month", "2026-11");
        Assert.Equal(1, bob.Code);
        Assert.Contains("AccessDeniedException", bob.Error, StringComparison.Ordinal);

        var bad = await CostProcess.KmsAsync(fixture.Server.Endpoint, "COSTROOTA", "s", "cost", "--month", "November");
        Assert.Equal(2, bad.Code);
        Assert.Contains("--month takes a month as yyyy-MM", bad.Error, StringComparison.Ordinal);
    }

    private static async Task SignAsync(AmazonKeyManagementServiceClient kms, string keyId, SigningAlgorithmSpec algorithm) =>
        await kms.SignAsync(new SignRequest { KeyId = keyId, Message = Bytes("to sign"), SigningAlgorithm = algorithm }, Cancel);

    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    private static JsonNode Line(JsonNode bill, Func<JsonNode, bool> match) => Assert.Single(bill["lines"]!.AsArray(), l => match(l!))!;

    private static (decimal, decimal) Storage(JsonNode bill, string item)
    {
        var line = Line(bill, l => l["item"]!.GetValue<string>() == item);
        return (line["quantity"]!.GetValue<decimal>(), line["amount"]!.GetValue<decimal>());
    }

    private static (decimal, long, decimal) Requests(JsonNode bill, string cls)
    {
        var line = Line(bill, l => l["priceClass"]?.GetValue<string>() == cls);
        return (line["quantity"]!.GetValue<decimal>(), line["freeRequests"]!.GetValue<long>(), line["amount"]!.GetValue<decimal>());
    }
}
