using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansKms.Gateway.Regions;

namespace OrleansKms.Hosting.Regions;

/// <summary>
/// The Regions one process serves, each its own Orleans cluster in its own host (a silo and an Orleans client
/// cannot share one DI container, and a Region must share nothing another Region's failure can break). A Region's
/// host starts on its first request; a drill stops and starts it (<see cref="IKmsRegionControl"/>). With memory
/// storage (<paramref name="keepStoppedHosts"/>) a stopped Region's silo keeps running, since stopping it would lose its
/// keys: it is only cut off, from the gateway and from the other Regions' links.
/// </summary>
internal sealed class RegionHosts(IReadOnlyList<string> served, Func<string, CancellationToken, Task<IHost>> build, ILogger logger, bool keepStoppedHosts = false)
    : IKmsRegions, IKmsRegionControl, IAsyncDisposable
{
    private readonly HashSet<string> _served = new(served, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Served => served;

    public bool Serves(string region) => _served.Contains(region);

    public ValueTask<KmsRegion> GetAsync(string region, CancellationToken cancel = default)
    {
        var slot = SlotOf(region);
        return slot.Ready is { } ready && !slot.Stopped ? ValueTask.FromResult(ready) : new ValueTask<KmsRegion>(StartOrThrowAsync(slot, cancel));
    }

    /// <summary>Whether a drill has stopped the Region (its requests and its links fail).</summary>
    public bool IsStopped(string region) => _slots.TryGetValue(region, out var slot) && slot.Stopped;

    private Slot SlotOf(string region) =>
        _served.Contains(region) ? _slots.GetOrAdd(region, r => new Slot(r)) : throw new RegionUnavailableException(region);

    private async Task<KmsRegion> StartOrThrowAsync(Slot slot, CancellationToken cancel)
    {
        await slot.Gate.WaitAsync(cancel);
        try
        {
            if (slot.Stopped) throw new RegionUnavailableException(slot.Region);
            if (slot.Ready is { } ready) return ready;
            return await StartLockedAsync(slot, cancel);
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private async Task<KmsRegion> StartLockedAsync(Slot slot, CancellationToken cancel)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var host = await build(slot.Region, cancel);
        try
        {
            await host.StartAsync(cancel);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        slot.Host = host;
        slot.Ready = new KmsRegion(slot.Region, host.Services);
        logger.LogInformation("Region {Region} started in {Ms} ms", slot.Region, started.ElapsedMilliseconds);
        return slot.Ready;
    }

    public async Task StopAsync(string region)
    {
        var slot = SlotOf(region);
        await slot.Gate.WaitAsync();
        try
        {
            slot.Stopped = true;
            if (keepStoppedHosts)
            {
                logger.LogWarning("Region {Region} cut off (failover drill; memory storage keeps its silo running): its requests now fail as an unreachable endpoint's", region);
                return;
            }

            slot.Ready = null;
            if (slot.Host is { } host)
            {
                slot.Host = null;
                await StopHostAsync(host);
                logger.LogWarning("Region {Region} stopped (failover drill): its requests now fail as an unreachable endpoint's", region);
            }
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    public async Task StartAsync(string region)
    {
        var slot = SlotOf(region);
        await slot.Gate.WaitAsync();
        try
        {
            slot.Stopped = false;
            if (slot.Ready is null) await StartLockedAsync(slot, CancellationToken.None);
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>Running, stopped or idle; a Region cut off with its silo kept (memory storage) is stopped.</summary>
    public IReadOnlyList<RegionStatus> Status() =>
        served.Select(r => new RegionStatus(r, _slots.TryGetValue(r, out var s) ? s.Stopped ? "stopped" : s.Ready is null ? "idle" : "running" : "idle")).ToList();

    /// <summary>The services of a running Region, for the host (seeding) and tests; null while it is not running.</summary>
    public IServiceProvider? ServicesOf(string region) => _slots.TryGetValue(region, out var s) ? s.Ready?.Services : null;

    private static async Task StopHostAsync(IHost host)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(timeout.Token);
        }
        finally
        {
            if (host is IAsyncDisposable d) await d.DisposeAsync();
            else host.Dispose();
        }
    }

    /// <summary>Stops every running Region, in parallel.</summary>
    public async ValueTask DisposeAsync()
    {
        var hosts = _slots.Values.Select(s =>
        {
            var h = s.Host;
            s.Host = null;
            s.Ready = null;
            s.Stopped = true;
            return h;
        }).OfType<IHost>().ToList();
        await Task.WhenAll(hosts.Select(StopHostAsync));
    }

    private sealed class Slot(string region)
    {
        public string Region { get; } = region;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public volatile KmsRegion? Ready;
        public IHost? Host;
        public volatile bool Stopped;
    }
}
