using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace OrleansKms.Cli.Bench;

/// <summary>
/// <c>kms bench --create-keys N</c>: creates N symmetric keys through the gateway with the AWS SDK (closed loop,
/// <c>--callers</c> at once), prints the rate every interval so one sees how it changes as the store grows, then pages
/// through ListKeys (1 000 a page) and checks that every key it created is listed exactly once.
/// Exit codes: 0 every key created and listed, 1 a call failed or a key is missing, 2 bad command line, 130 interrupted.
/// </summary>
internal static class CreateKeysBench
{
    public const string Usage = """
        Usage: kms bench --create-keys N [--callers 32] [--endpoint URL] [--region NAME] [--interval TIME] [--ids FILE]
          Creates N SYMMETRIC_DEFAULT keys through the gateway with the AWS SDK, --callers at once (default 32), and
          prints keys/s every --interval (default 10s) and overall; then pages through ListKeys (Limit 1000) and checks
          that every created key is listed once, with the count and the time it took. Also prints the resident memory
          of the process listening on the endpoint's port, when it can see it.
          --access-key/--secret-key as for kms bench (default test/test). A failed CreateKey is counted and retried
          by the next turn of its caller; the run stops after 1 000 failures.
          --ids FILE appends the id of every created key to FILE, one a line, as each CreateKey answers (flushed
          to the file at once): after a crash of the service, every id in it must still be listed.
        """;

    private const int MaxFailures = 1000;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancel)
    {
        if (!TryParse(args, out var o, out var error))
        {
            if (error is null) { Console.WriteLine(Usage); return 0; }
            Console.Error.WriteLine($"kms bench: {error}\nRun 'kms bench --create-keys 1 --help' for usage.");
            return 2;
        }

        try
        {
            using var client = KmsWorkload.CreateClient(o.Endpoint, o.Region, o.AccessKey, o.SecretKey, o.Callers);
            var serverPid = CpuSampler.FindListener(o.Endpoint.Port);
            Console.WriteLine($"CreateKey x {o.Keys:N0} against {o.Endpoint} ({o.Region}), {o.Callers} callers; server pid {serverPid?.ToString(CultureInfo.InvariantCulture) ?? "not found"}; {Environment.ProcessorCount} cores");
            var created = await CreateAsync(client, o, serverPid, cancel);
            if (created is null) return 1;
            var listed = await ListAsync(client, created, cancel);
            Console.WriteLine($"Server resident memory at the end: {Rss(serverPid)}");
            return listed ? 0 : 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("kms bench: interrupted.");
            return 130;
        }
    }

    /// <summary>Creates the keys; prints one line per interval. Null when too many calls failed.</summary>
    private static async Task<HashSet<string>?> CreateAsync(IAmazonKeyManagementService client, CreateKeysOptions o, int? serverPid, CancellationToken cancel)
    {
        var ids = new ConcurrentBag<string>();
        await using var idsFile = o.IdsFile is null ? null : new StreamWriter(new FileStream(o.IdsFile, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        var failures = new ConcurrentDictionary<string, int>();
        long remaining = o.Keys, done = 0, failed = 0;
        var latencies = new LatencyRecorder[o.Callers];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, o.Callers).Select(w => Task.Run(async () =>
        {
            var latency = latencies[w] = new LatencyRecorder();
            while (Interlocked.Decrement(ref remaining) >= 0 && !stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var r = await client.CreateKeyAsync(new CreateKeyRequest { Description = "kms bench --create-keys" }, stop.Token);
                    ids.Add(r.KeyMetadata.KeyId);
                    if (idsFile is not null)
                    {
                        lock (idsFile) idsFile.WriteLine(r.KeyMetadata.KeyId);
                    }

                    lock (latency) latency.RecordSince(started, Stopwatch.GetTimestamp());
                    Interlocked.Increment(ref done);
                }
                catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or TaskCanceledException or TimeoutException && !cancel.IsCancellationRequested)
                {
                    failures.AddOrUpdate(LoadRunner.Describe(e, cancel), 1, (_, n) => n + 1);
                    Interlocked.Increment(ref remaining);
                    if (Interlocked.Increment(ref failed) >= MaxFailures) await stop.CancelAsync();
                }
            }
        }, CancellationToken.None)).ToArray();

        Console.WriteLine("  seconds   created      keys/s (interval)   keys/s (overall)   p50 ms   p99 ms   failed   server RSS");
        var all = Task.WhenAll(workers);
        long lastDone = 0;
        var lastAt = start;
        while (await Task.WhenAny(all, Task.Delay(o.Interval, cancel)) != all)
        {
            (lastDone, lastAt) = Progress(latencies, start, lastAt, lastDone, Interlocked.Read(ref done), Interlocked.Read(ref failed), serverPid);
        }

        await all;
        Progress(latencies, start, lastAt, lastDone, done, failed, serverPid);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Console.WriteLine($"Created {done:N0} keys in {seconds:F1} s: {done / seconds:F0} keys/s overall; {failed:N0} failed calls.");
        foreach (var (kind, n) in failures) Console.WriteLine($"  {n} x {kind}");
        return failed >= MaxFailures ? null : ids.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>One progress line: the rate since the last line and overall; latency percentiles over the interval.</summary>
    private static (long Done, long At) Progress(LatencyRecorder[] latencies, long start, long lastAt, long lastDone, long done, long failed, int? serverPid)
    {
        var now = Stopwatch.GetTimestamp();
        var interval = new LatencyRecorder();
        foreach (var l in latencies)
        {
            if (l is null) continue;
            lock (l)
            {
                interval.Merge(l);
                l.Reset();
            }
        }

        var total = Stopwatch.GetElapsedTime(start, now).TotalSeconds;
        var since = Stopwatch.GetElapsedTime(lastAt, now).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {total,7:F0}   {done,9:N0}   {(done - lastDone) / Math.Max(since, 1e-9),17:F0}   {done / Math.Max(total, 1e-9),16:F0}   {interval.PercentileMs(50),6:F1}   {interval.PercentileMs(99),6:F1}   {failed,6}   {Rss(serverPid)}"));
        return (done, now);
    }

    /// <summary>Pages through ListKeys; true when every created key was listed exactly once.</summary>
    private static async Task<bool> ListAsync(IAmazonKeyManagementService client, HashSet<string> created, CancellationToken cancel)
    {
        var start = Stopwatch.GetTimestamp();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long listed = 0, duplicates = 0, pages = 0;
        string? marker = null;
        string? previous = null;
        long outOfOrder = 0;
        do
        {
            var page = await client.ListKeysAsync(new ListKeysRequest { Limit = 1000, Marker = marker }, cancel);
            pages++;
            foreach (var key in page.Keys)
            {
                listed++;
                if (!seen.Add(key.KeyId)) duplicates++;
                if (previous is not null && string.CompareOrdinal(previous, key.KeyId) >= 0) outOfOrder++;
                previous = key.KeyId;
            }

            marker = page.Truncated == true ? page.NextMarker : null;
            if (pages % 200 == 0) Console.WriteLine($"  ListKeys: {listed:N0} keys in {pages} pages, {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s");
        }
        while (marker is not null);

        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var missing = created.Count(id => !seen.Contains(id));
        Console.WriteLine($"ListKeys: {listed:N0} keys listed in {pages:N0} pages in {seconds:F1} s ({listed / Math.Max(seconds, 1e-9):F0} keys/s); " +
            $"{created.Count - missing:N0} of the {created.Count:N0} created keys listed, {missing:N0} missing, {duplicates:N0} listed twice, {outOfOrder:N0} out of key-id order.");
        return missing == 0 && duplicates == 0 && outOfOrder == 0;
    }

    private static string Rss(int? pid)
    {
        if (pid is not { } p) return "n/a";
        try
        {
            var line = File.ReadLines($"/proc/{p}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? "n/a" : $"{long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024} MB";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    private static bool TryParse(string[] args, out CreateKeysOptions o, out string? error)
    {
        o = new CreateKeysOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") return false;
            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value.";
                return false;
            }

            error = o.Apply(name, args[++i]);
            if (error is not null) return false;
        }

        return true;
    }
}

/// <summary>The options of <c>kms bench --create-keys</c>.</summary>
internal sealed class CreateKeysOptions
{
    public int Keys { get; private set; }

    public int Callers { get; private set; } = 32;

    public Uri Endpoint { get; private set; } = new("http://127.0.0.1:4566");

    public string Region { get; private set; } = "us-east-1";

    public string AccessKey { get; private set; } = "test";

    public string SecretKey { get; private set; } = "test";

    public TimeSpan Interval { get; private set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where to append the ids of created keys as they are acknowledged (--ids), or null.</summary>
    public string? IdsFile { get; private set; }

    public string? Apply(string name, string value)
    {
        switch (name)
        {
            case "--create-keys": return Whole(value, name, 100_000_000, v => Keys = v);
            case "--callers" or "--concurrency": return Whole(value, name, 4096, v => Callers = v);
            case "--region": Region = value; return null;
            case "--access-key": AccessKey = value; return null;
            case "--secret-key": SecretKey = value; return null;
            case "--endpoint":
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !uri.IsLoopback)
                    return $"--endpoint takes a loopback http(s) URL (the bench only loads local services), not '{value}'.";
                Endpoint = uri;
                return null;
            case "--ids": IdsFile = value; return null;
            case "--interval":
                if (!BenchOptions.TryParseTime(value, out var t) || t < TimeSpan.FromMilliseconds(100) || t > TimeSpan.FromHours(1))
                    return $"--interval takes a time from 100ms to 1h, such as 10s, not '{value}'.";
                Interval = t;
                return null;
            default: return $"unknown option {name}.";
        }
    }

    private static string? Whole(string value, string name, int max, Action<int> set)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1 && v <= max)
        {
            set(v);
            return null;
        }

        return $"{name} takes a whole number from 1 to {max:N0}.";
    }
}
