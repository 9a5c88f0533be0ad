using System.Text;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cost;

/// <summary>A server of every Region on a fake KMS clock from 2026-11-01 00:00 UTC, with AWS's prices.</summary>
public sealed class CostRegionsFixture : KmsServerFixture
{
    public FakeTimeProvider Clock { get; } = new(CostMonthFixture.November);

    protected override void Configure(KmsServerOptions options) =>
        options.ConfigureServices = s => s.AddKeyedSingleton<TimeProvider>(KmsTime.ServiceKey, Clock);
}

/// <summary>One account's keys and requests in two Regions: one bill lists both, <c>--region</c> one of them.</summary>
public sealed class CostRegionsTests(CostRegionsFixture fixture) : IClassFixture<CostRegionsFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_Regions_lines_are_on_the_bill_and_region_picks_one()
    {
        using var east = SdkClients.Create(fixture.Server.Endpoint, "us-east-1", "test", "test");
        using var west = SdkClients.Create(fixture.Server.Endpoint, "eu-west-1", "test", "test");
        var eastKey = (await east.CreateKeyAsync(new CreateKeyRequest(), Cancel)).KeyMetadata.KeyId;
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        var westKey = (await west.CreateKeyAsync(new CreateKeyRequest(), Cancel)).KeyMetadata.KeyId;
        for (var i = 0; i < 3; i++)
        {
            await east.EncryptAsync(new EncryptRequest { KeyId = eastKey, Plaintext = Bytes(i) }, Cancel);
            await west.EncryptAsync(new EncryptRequest { KeyId = westKey, Plaintext = Bytes(i) }, Cancel);
        }

        fixture.Clock.SetUtcNow(CostMonthFixture.November.AddMonths(1));

        var all = await BillAsync("--month", "2026-11");
        Assert.Equal(["eu-west-1", "us-east-1"], all["regions"]!.AsArray().Select(r => r!.GetValue<string>()));
        // us-east-1: 720 h = $1.00; eu-west-1: 696 h = 0.966667 key-months = $0.97; 8 requests, all in the free tier.
        Assert.Equal([("eu-west-1", "Key storage", 0.966667m, 0.97m), ("eu-west-1", "Requests (symmetric)", 4m, 0.00m),
            ("us-east-1", "Key storage", 1m, 1.00m), ("us-east-1", "Requests (symmetric)", 4m, 0.00m)], Lines(all));
        Assert.Equal(8, all["freeTierUsed"]!.GetValue<long>());
        Assert.Equal(1.97m, all["total"]!.GetValue<decimal>());

        var west1 = await BillAsync("--month", "2026-11", "--region", "eu-west-1");
        Assert.Equal([("eu-west-1", "Key storage", 0.966667m, 0.97m), ("eu-west-1", "Requests (symmetric)", 4m, 0.00m)], Lines(west1));
        Assert.Equal(0.97m, west1["total"]!.GetValue<decimal>());
    }

    private async Task<JsonNode> BillAsync(params string[] args)
    {
        var run = await CostProcess.KmsAsync(fixture.Server.Endpoint, "test", "test", ["cost", .. args, "--output", "json"]);
        Assert.True(run.Code == 0, run.Error);
        return JsonNode.Parse(run.Output)!;
    }

    private static List<(string, string, decimal, decimal)> Lines(JsonNode bill) =>
        [.. bill["lines"]!.AsArray().Select(l => (l!["region"]!.GetValue<string>(), l["item"]!.GetValue<string>(), l["quantity"]!.GetValue<decimal>(), l["amount"]!.GetValue<decimal>()))];

    private static MemoryStream Bytes(int i) => new(Encoding.UTF8.GetBytes($"m{i}"));
}
