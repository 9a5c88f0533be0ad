using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using OrleansKms.Grains;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>A cluster whose lifecycle reminders tick every second (Orleans' minimum lowered for the test).</summary>
public sealed class FastReminderClusterFixture : TwoSiloClusterFixture
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = Tick);
        silo.Services.Configure<KmsGrainOptions>(o => o.LifecycleCheckPeriod = Tick);
    }
}

/// <summary>The real Orleans reminder, not a direct call, carries out a deletion that the KMS clock says is due.</summary>
public sealed class LifecycleReminderTests(FastReminderClusterFixture cluster) : IClassFixture<FastReminderClusterFixture>
{
    [Fact]
    public async Task The_lifecycle_reminder_fires_and_deletes_a_key_whose_deletion_date_has_come()
    {
        var arn = new KeyArn(cluster.Region, cluster.Caller.AccountId, KeyIds.NewSingleRegion());
        var key = cluster.Silo(0).GetGrain<IKeyGrain>(arn.Value);
        await key.CreateAsync(new CreateKeyCommand { Caller = cluster.Caller });
        await key.ScheduleDeletionAsync(cluster.Caller, 7);
        cluster.Time.Advance(TimeSpan.FromDays(7));

        // Wait for the signal (the key disappears), polling the grain; the reminder ticks every second.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await key.DescribeAsync(cluster.Caller);
            }
            catch (KmsException e) when (e.Code == KmsErrorCode.NotFoundException)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the lifecycle reminder did not delete the key within 60 s");
            await Task.Delay(FastReminderClusterFixture.Tick / 4, TestContext.Current.CancellationToken);
        }
    }
}
