using OrleansKms.Cli.Bench;

namespace OrleansKms.Cli.Regions;

/// <summary>
/// Replication lag, probed while the primary is up: each probe sets a new rotation period in the primary and waits
/// for the replica to report it, timed from the primary's answer. Probes follow each other <see cref="Interval"/>
/// apart, so the lag is sampled through the run rather than measured under a flood of changes.
/// </summary>
internal sealed class LagProbes(ReplicationWatch watch, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly List<double> _lagMs = [];
    private int _timedOut;
    private int _failed;
    private string? _firstError;

    /// <summary>Probes until the moment <paramref name="until"/> (a <see cref="TimeProvider"/> timestamp), at least once.</summary>
    public async Task RunUntilAsync(long until, CancellationToken cancel)
    {
        do
        {
            await ProbeAsync(cancel);
            var left = Left(until);
            if (left > TimeSpan.Zero) await Task.Delay(left < Interval ? left : Interval, time, cancel);
        }
        while (Left(until) > TimeSpan.Zero);
    }

    public LagResult Result()
    {
        var sorted = _lagMs.Order().ToList();
        return new LagResult(sorted.Count, _timedOut, _failed, Percentile(sorted, 50), Percentile(sorted, 99),
            sorted.Count == 0 ? null : sorted[^1], _firstError);
    }

    private async Task ProbeAsync(CancellationToken cancel)
    {
        var period = watch.NextRotationPeriod();
        try
        {
            await watch.ChangeRotationPeriodAsync(period, cancel);
        }
        catch (Exception e) when (DrillScenario.NotCancelled(e, cancel))
        {
            _failed++;
            _firstError ??= $"EnableKeyRotation RotationPeriodInDays={period}: {LoadRunner.Describe(e, cancel)}";
            return;
        }

        if (await watch.RotationPeriodSeenAsync(period, cancel) is { } lag) _lagMs.Add(Math.Round(lag.TotalMilliseconds, 3));
        else
        {
            _timedOut++;
            _firstError ??= $"RotationPeriodInDays={period} not reported by the replica within the wait; it last answered {watch.LastAnswer}";
        }
    }

    private TimeSpan Left(long until) => until > time.GetTimestamp() ? time.GetElapsedTime(time.GetTimestamp(), until) : TimeSpan.Zero;

    /// <summary>The nearest-rank percentile of <paramref name="sorted"/>; null when there is nothing to rank.</summary>
    private static double? Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Max(0, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
}
