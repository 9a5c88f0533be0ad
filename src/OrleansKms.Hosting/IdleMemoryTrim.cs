using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansKms.Hosting;

/// <summary>
/// Gives memory back to the operating system once the service has gone quiet. .NET collects garbage only as a program
/// allocates, so a silo that served a burst (many keys, since dropped from its caches, their grains collected by
/// Orleans) and then idles would keep that memory: nothing allocates enough to start a full collection. Every minute
/// this looks at how much the process allocated; once it has been quiet (under 32 MB a minute) for
/// <see cref="KmsServerOptions.IdleMemoryTrim"/> after busier work, it runs one full compacting collection that
/// decommits the free memory (<see cref="GCCollectionMode.Aggressive"/>) and asks the C library to return the free
/// memory of its native heaps (glibc's <c>malloc_trim</c>), then waits for the next busy spell. A busy process is never
/// paused by it.
/// </summary>
public sealed class IdleMemoryTrim(TimeSpan quietTime, TimeProvider time, ILogger<IdleMemoryTrim> logger) : BackgroundService
{
    public static readonly TimeSpan CheckPeriod = TimeSpan.FromMinutes(1);

    /// <summary>A check period with less allocated than this is quiet.</summary>
    public const long QuietBytes = 32L * 1024 * 1024;

    private long _lastAllocated = GC.GetTotalAllocatedBytes();
    private bool _busySinceTrim;
    private TimeSpan _quietFor;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckPeriod, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var allocated = GC.GetTotalAllocatedBytes();
                if (ShouldTrim(allocated - _lastAllocated)) Trim();
                _lastAllocated = allocated;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes one check period's allocation; true when the time to trim has come.</summary>
    public bool ShouldTrim(long allocatedInPeriod)
    {
        if (allocatedInPeriod >= QuietBytes)
        {
            _busySinceTrim = true;
            _quietFor = TimeSpan.Zero;
            return false;
        }

        _quietFor += CheckPeriod;
        if (!_busySinceTrim || _quietFor < quietTime) return false;
        _busySinceTrim = false;
        return true;
    }

    private void Trim()
    {
        var before = Environment.WorkingSet;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Posix.TrimNativeHeap();
        logger.LogInformation("Quiet for {Quiet}: memory returned to the system, working set {Before} MB -> {After} MB",
            _quietFor, before / (1024 * 1024), Environment.WorkingSet / (1024 * 1024));
    }
}
