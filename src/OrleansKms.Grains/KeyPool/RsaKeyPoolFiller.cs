using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.Grains.KeyPool;

/// <summary>
/// Fills an <see cref="RsaKeyPool"/> in the background: one thread of its own, at a lower CPU priority than the
/// process's request threads (10 nice steps nicer on Linux, where .NET's thread priorities have no effect), so key
/// generation takes little from requests when the cores are busy and a whole core when they are idle.
/// It generates until every size is at its target, then sleeps until a key is taken. Stopping does not wait for a key
/// being generated (OpenSSL cannot be interrupted); the pool zeroes a key that arrives after it is disposed.
/// </summary>
public sealed class RsaKeyPoolFiller(RsaKeyPool pool, IOptions<RsaKeyPoolOptions> options, ILogger<RsaKeyPoolFiller> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.FillInBackground) return Task.CompletedTask;
        logger.LogDebug("RSA key pool: keeping {Rsa2048} RSA_2048, {Rsa3072} RSA_3072 and {Rsa4096} RSA_4096 keys ready",
            pool.Target(2048), pool.Target(3072), pool.Target(4096));
        _thread = new Thread(Run) { IsBackground = true, Name = "kms-rsa-key-pool", Priority = ThreadPriority.Lowest };
        _thread.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stop.Cancel();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private void Run()
    {
        var cancel = _stop.Token;
        LowerPriority.ApplyToCurrentThread();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var filledOnce = false;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                if (pool.FillOne()) continue;
                if (!filledOnce)
                {
                    filledOnce = true;
                    logger.LogInformation("RSA key pool ready after {Seconds:0.0} s: {Rsa2048} RSA_2048, {Rsa3072} RSA_3072 and {Rsa4096} RSA_4096 keys",
                        System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, pool.Available(2048), pool.Available(3072), pool.Available(4096));
                }

                pool.WaitForDemand(cancel);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception e)
        {
            // Never the process's end: CreateKey falls back to generating inline.
            logger.LogError(e, "RSA key pool: the background filler stopped; RSA keys are generated on request from now on");
        }
    }
}

/// <summary>
/// Gives the calling thread the lowest scheduling priority there is, nice 19 (Linux: setpriority on the thread id;
/// lowering needs no privilege). Under contention a nice-19 thread gets about 1.5% of the CPU a nice-0 thread gets
/// (less against a process run with a negative nice value), so requests keep the cores and the pool fills from idle
/// time; on an idle machine it still takes a whole core. A nicer step (the earlier +10) took about a tenth of a core
/// from a fully loaded gateway for the first tens of seconds after start. Elsewhere the .NET thread priority (set by
/// the caller) is all there is.
/// </summary>
internal static class LowerPriority
{
    private const int PrioProcess = 0;
    private const int Nicest = 19;

    public static void ApplyToCurrentThread()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            // On Linux a thread id given to setpriority names that one thread (see setpriority(2), NOTES).
            var tid = GetTid();
            _ = SetPriority(PrioProcess, tid, Nicest);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
        }
    }

    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();
}
