using System.Diagnostics;
using Amazon.Runtime;

namespace OrleansKms.Cli.Bench;

/// <summary>One call of the operation under test, by worker <paramref name="worker"/> on its <paramref name="iteration"/>th turn.</summary>
internal delegate Task BenchCall(int worker, long iteration, CancellationToken cancel);

/// <summary>What the workers measured together: merged latencies of successful calls, errors by kind, elapsed time.</summary>
internal sealed record Measurement(
    LatencyRecorder Latency, long Errors, IReadOnlyDictionary<string, long> ErrorKinds, double Seconds, CpuUse? Cpu)
{
    public long Operations => Latency.Count + Errors;

    public double OpsPerSecond => Seconds > 0 ? Latency.Count / Seconds : 0;
}

/// <summary>
/// Closed-loop load: <c>concurrency</c> workers each call, await, and call again. A call is measured when it starts
/// after the warm-up; no call starts after the measured duration, and a hard deadline (duration plus a grace period)
/// cancels calls still hanging, so every run is bounded.
/// </summary>
internal static class LoadRunner
{
    private const int MaxErrorKinds = 20;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    public static async Task<Measurement> RunAsync(
        BenchCall call, int concurrency, TimeSpan warmup, TimeSpan duration, int? serverPid, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(warmup + duration + Grace);
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var stopAt = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task<WorkerResult>[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var worker = w;
            workers[w] = Task.Run(() => WorkerAsync(worker, call, measureFrom, stopAt, deadline.Token));
        }

        await Task.Delay(warmup, CancellationToken.None); // the workers stop on cancel; this only times the CPU sample
        var cpu = new CpuSampler(serverPid);
        var results = await Task.WhenAll(workers);
        cancel.ThrowIfCancellationRequested();
        return Merge(results, measureFrom, duration) with { Cpu = cpu.Stop() };
    }

    private static async Task<WorkerResult> WorkerAsync(int worker, BenchCall call, long measureFrom, long stopAt, CancellationToken cancel)
    {
        var result = new WorkerResult();
        for (long iteration = 0; ; iteration++)
        {
            var started = Stopwatch.GetTimestamp();
            if (started >= stopAt || cancel.IsCancellationRequested) break;
            string? error = null;
            try
            {
                await call(worker, iteration, cancel);
            }
            catch (Exception e)
            {
                error = Describe(e, cancel);
            }

            var ended = Stopwatch.GetTimestamp();
            if (started < measureFrom) continue;
            result.LastEnd = ended;
            if (error is null)
            {
                result.Latency.RecordSince(started, ended);
            }
            else
            {
                if (result.Errors.Count >= MaxErrorKinds && !result.Errors.ContainsKey(error)) error = "(other errors)";
                result.Errors.TryGetValue(error, out var n);
                result.Errors[error] = n + 1;
            }
        }

        return result;
    }

    private static Measurement Merge(WorkerResult[] results, long measureFrom, TimeSpan duration)
    {
        var latency = new LatencyRecorder();
        var kinds = new Dictionary<string, long>();
        long lastEnd = 0;
        foreach (var r in results)
        {
            latency.Merge(r.Latency);
            lastEnd = Math.Max(lastEnd, r.LastEnd);
            foreach (var (kind, n) in r.Errors) kinds[kind] = kinds.GetValueOrDefault(kind) + n;
        }

        var seconds = lastEnd > measureFrom ? Stopwatch.GetElapsedTime(measureFrom, lastEnd).TotalSeconds : duration.TotalSeconds;
        return new Measurement(latency, kinds.Values.Sum(), kinds, seconds, null);
    }

    /// <summary>What went wrong, as the server said it: HTTP status, AWS error code and message.</summary>
    public static string Describe(Exception e, CancellationToken cancel)
    {
        var text = e switch
        {
            OperationCanceledException when cancel.IsCancellationRequested => "cancelled: the call outlived the duration plus grace period",
            AmazonServiceException s => $"HTTP {(int)s.StatusCode} {s.ErrorCode}: {s.Message}",
            _ when e.InnerException is { } inner => $"{e.GetType().Name}: {e.Message} ({inner.GetType().Name}: {inner.Message})",
            _ => $"{e.GetType().Name}: {e.Message}",
        };
        return text.Length <= 300 ? text : text[..300] + "...";
    }

    private sealed class WorkerResult
    {
        public LatencyRecorder Latency { get; } = new();

        public Dictionary<string, long> Errors { get; } = [];

        public long LastEnd { get; set; }
    }
}
