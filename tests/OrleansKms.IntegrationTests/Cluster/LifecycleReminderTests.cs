using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using OrleansKms.Grains;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// A cluster whose reminders run on the KMS fake clock (so moving the clock fires them) and whose lifecycle reminders
/// retry every second (Orleans' minimum lowered for the test).
/// </summary>
public sealed class FastReminderClusterFixture : TwoSiloClusterFixture
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.AddKeyedSingleton<TimeProvider>(Orleans.Reminders.ReminderTimeProviderNames.Reminders, Time);
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = Tick);
        silo.Services.Configure<KmsGrainOptions>(o => o.LifecycleCheckPeriod = Tick);
    }
}

/// <summary>
/// The real Orleans reminder, not a direct call, carries out rotation and deletion: it is due on the day the work is
/// (not every check period), and follows every change of that day. The clock is moved; the reminder's effect is
/// waited for.
/// </summary>
public sealed class LifecycleReminderTests(FastReminderClusterFixture cluster) : IClassFixture<FastReminderClusterFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private async Task<(KeyArn Arn, IKeyGrain Key)> CreateKeyAsync()
    {
        var arn = new KeyArn(cluster.Region, cluster.Caller.AccountId, KeyIds.NewSingleRegion());
        var key = cluster.Silo(0).GetGrain<IKeyGrain>(arn.Value);
        await key.CreateAsync(new CreateKeyCommand { Caller = cluster.Caller });
        return (arn, key);
    }

    /// <summary>When the key's lifecycle reminder is next due, as the reminder table holds it; null if it has none.</summary>
    private async Task<DateTimeOffset?> ReminderDueAsync(IKeyGrain key)
    {
        var table = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        var entry = await table.ReadRow(key.GetGrainId(), KeyGrain.LifecycleReminder);
        return entry is null ? null : new DateTimeOffset(entry.StartAt, TimeSpan.Zero);
    }

    /// <summary>
    /// Waits (real time, bounded) until <paramref name="done"/> holds: the reminder fires asynchronously once the clock
    /// moves. Each round nudges the clock by one tick, as a real clock would go on: Orleans loads a reminder due far
    /// ahead only when its periodic table refresh comes round, and one that it finds already past due fires at the next
    /// period of the clock.
    /// </summary>
    private async Task WaitUntilAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen within {Wait.TotalSeconds} s");
            await Task.Delay(FastReminderClusterFixture.Tick / 4, TestContext.Current.CancellationToken);
            cluster.Time.Advance(FastReminderClusterFixture.Tick);
        }
    }

    private async Task<int> RotationsAsync(IKeyGrain key) => (await key.ListRotationsAsync(cluster.Caller, 100, null)).Rotations.Count;

    [Fact]
    public async Task The_lifecycle_reminder_is_due_at_the_deletion_date_and_deletes_the_key_then()
    {
        var (_, key) = await CreateKeyAsync();
        var deletion = await key.ScheduleDeletionAsync(cluster.Caller, 7);
        Assert.Equal(deletion.DeletionDate, await ReminderDueAsync(key));

        cluster.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        Assert.Equal(KeyStateKind.PendingDeletion, (await key.DescribeAsync(cluster.Caller)).KeyState);

        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(async () =>
        {
            try
            {
                await key.DescribeAsync(cluster.Caller);
                return false;
            }
            catch (KmsException e) when (e.Code == KmsErrorCode.NotFoundException)
            {
                return true;
            }
        }, "the deletion");
        Assert.Null(await ReminderDueAsync(key));
    }

    [Fact]
    public async Task A_rotating_key_is_woken_on_its_rotation_day_in_steps_of_at_most_49_days_not_every_hour()
    {
        var (_, key) = await CreateKeyAsync();
        Assert.Null(await ReminderDueAsync(key));
        var enabledAt = cluster.Time.GetUtcNow();
        await key.EnableRotationAsync(cluster.Caller, 90);
        var rotationDate = (await key.GetRotationStatusAsync(cluster.Caller)).NextRotationDate;
        Assert.Equal(enabledAt.AddDays(90), rotationDate);

        // 90 days is further than a timer waits: the reminder is due at the 49-day step, then at the rotation date.
        Assert.Equal(enabledAt + KeyGrain.MaxReminderDueTime, await ReminderDueAsync(key));
        cluster.Time.Advance(KeyGrain.MaxReminderDueTime);
        await WaitUntilAsync(async () => await ReminderDueAsync(key) == rotationDate, "the re-registration at the 49-day step");
        Assert.Equal(0, await RotationsAsync(key));

        cluster.Time.Advance(rotationDate!.Value - cluster.Time.GetUtcNow() - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await RotationsAsync(key));
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(async () => await RotationsAsync(key) == 1, "the rotation on its day");
        // Rotated within the few ticks the wait nudged the clock; the next rotation is a period after that.
        var next = (await key.GetRotationStatusAsync(cluster.Caller)).NextRotationDate!.Value;
        Assert.InRange(next, rotationDate.Value.AddDays(90), rotationDate.Value.AddDays(90).AddMinutes(1));
        await WaitUntilAsync(async () => await ReminderDueAsync(key) > rotationDate + TimeSpan.FromDays(48), "the next registration, 49 days on");
        Assert.Equal(1, await RotationsAsync(key));
    }

    [Fact]
    public async Task The_reminder_follows_every_change_of_the_next_due_date()
    {
        var (_, key) = await CreateKeyAsync();
        var start = cluster.Time.GetUtcNow();
        await key.EnableRotationAsync(cluster.Caller, 365);
        Assert.Equal(start + KeyGrain.MaxReminderDueTime, await ReminderDueAsync(key));

        var deletion = await key.ScheduleDeletionAsync(cluster.Caller, 30);
        Assert.Equal(deletion.DeletionDate, await ReminderDueAsync(key));

        // Cancelled, the key is disabled: a disabled key does not rotate, so nothing wakes it.
        await key.CancelDeletionAsync(cluster.Caller);
        Assert.Null(await ReminderDueAsync(key));

        await key.EnableAsync(cluster.Caller);
        Assert.Equal(cluster.Time.GetUtcNow() + KeyGrain.MaxReminderDueTime, await ReminderDueAsync(key));

        await key.DisableRotationAsync(cluster.Caller);
        Assert.Null(await ReminderDueAsync(key));
    }
}
