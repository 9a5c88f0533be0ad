using Microsoft.Extensions.Hosting;

namespace OrleansKms.Gateway;

/// <summary>
/// What the gateway's buffering recorders share (the audit writer, the usage meter): the request path only buffers, a
/// background loop writes from start to stop, and at a clean stop, once the server has stopped (no request can come
/// any more), the loop ends and everything left is written. That last write is bounded by <see cref="FinalFlushLimit"/>
/// so a store that stays down cannot hold the stop forever; what it leaves unwritten is reported.
/// </summary>
public abstract class BackgroundWriter : IHostedLifecycleService, IAsyncDisposable
{
    /// <summary>How long the last write of a clean stop may take.</summary>
    public static readonly TimeSpan FinalFlushLimit = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Writes everything buffered so far.</summary>
    public abstract Task FlushAsync(CancellationToken cancel);

    /// <summary>The background loop: writes as it sees fit until <paramref name="stopping"/> is cancelled.</summary>
    protected abstract Task RunAsync(CancellationToken stopping);

    /// <summary>The last write of a clean stop failed or ran out of time: say what is left unwritten.</summary>
    protected abstract void ReportUnwritten(Exception failure);

    /// <summary>The last write of a clean stop wrote everything.</summary>
    protected virtual void ReportStopped()
    {
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After every hosted service, the server included, has stopped: end the loop and write everything left.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        using var limit = new CancellationTokenSource(FinalFlushLimit);
        try
        {
            await FlushAsync(limit.Token);
        }
        catch (Exception e)
        {
            ReportUnwritten(e);
            return;
        }

        ReportStopped();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StoppedAsync(CancellationToken.None);
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
