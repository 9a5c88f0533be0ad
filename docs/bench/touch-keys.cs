#:package AWSSDK.KeyManagementService
// Touches N different keys through the gateway (CreateKey, then one Encrypt with the new key) and samples the silo's
// resident memory (VmRSS) while it does, then while it idles. Run from the project root:
//
//   dotnet run docs/bench/touch-keys.cs -- --keys 200000 --pid SILO_PID [--concurrency 32] [--idle 6m] [--minutes M]
//
// --minutes stops starting new keys after M minutes (0: no limit), for stores slower than the keys asked for.
//
// docs/bench/touch-keys.sh starts a memory-storage silo and runs this against it; docs/performance.md has figures.
using System.Diagnostics;
using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

var options = Args.Parse(args);
var config = new AmazonKeyManagementServiceConfig { ServiceURL = options.Endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 3 };
using var kms = new AmazonKeyManagementServiceClient(new BasicAWSCredentials("test", "test"), config);

var done = 0;
var failed = 0;
var peak = 0L;
var clock = Stopwatch.StartNew();
Console.WriteLine($"touching {options.Keys:N0} keys with {options.Concurrency} callers; silo pid {options.Pid}, RSS {Rss.Format(Rss.Of(options.Pid))}");
using var progress = new CancellationTokenSource();
var reporter = Task.Run(async () =>
{
    var last = 0;
    while (!progress.IsCancellationRequested)
    {
        try { await Task.Delay(TimeSpan.FromSeconds(15), progress.Token); } catch (OperationCanceledException) { }
        var now = Volatile.Read(ref done);
        var rss = Rss.Of(options.Pid);
        peak = Math.Max(peak, rss);
        Console.WriteLine($"{clock.Elapsed:hh\\:mm\\:ss} {now,9:N0} keys ({(now - last) / 15.0,6:N0} keys/s), {failed} failed, silo RSS {Rss.Format(rss)}");
        last = now;
    }
});

var next = -1;
await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
{
    while (Interlocked.Increment(ref next) < options.Keys && (options.Minutes <= 0 || clock.Elapsed.TotalMinutes < options.Minutes))
    {
        try
        {
            var key = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "touch-keys" });
            await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyMetadata.KeyId, Plaintext = new MemoryStream(new byte[32]) });
            Interlocked.Increment(ref done);
        }
        catch (Exception e)
        {
            if (Interlocked.Increment(ref failed) <= 5) Console.Error.WriteLine($"failed: {e.GetType().Name}: {e.Message}");
        }
    }
}));
progress.Cancel();
await reporter;
var elapsed = clock.Elapsed;
var after = Rss.Of(options.Pid);
peak = Math.Max(peak, after);
Console.WriteLine($"touched {done:N0} keys in {elapsed:hh\\:mm\\:ss} ({done / elapsed.TotalSeconds:N0} keys/s), {failed} failed");
Console.WriteLine($"silo RSS after touching: {Rss.Format(after)} (peak seen {Rss.Format(peak)})");

// Idle: no request at all; the silo should drop its caches and idle activations and give the memory back.
var idle = Stopwatch.StartNew();
while (idle.Elapsed < options.Idle)
{
    await Task.Delay(TimeSpan.FromSeconds(30));
    Console.WriteLine($"idle {idle.Elapsed:mm\\:ss}: silo RSS {Rss.Format(Rss.Of(options.Pid))}");
}

return failed == 0 ? 0 : 1;

internal sealed record Args(string Endpoint, int Keys, int Concurrency, int Pid, TimeSpan Idle, double Minutes)
{
    public static Args Parse(string[] args)
    {
        var a = new Args("http://127.0.0.1:4566", 10_000, 32, 0, TimeSpan.FromMinutes(6), 0);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            a = args[i] switch
            {
                "--endpoint" => a with { Endpoint = args[i + 1] },
                "--keys" => a with { Keys = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--concurrency" => a with { Concurrency = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--minutes" => a with { Minutes = double.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--pid" => a with { Pid = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--idle" => a with { Idle = TimeSpan.FromMinutes(double.Parse(args[i + 1].TrimEnd('m'), CultureInfo.InvariantCulture)) },
                _ => throw new ArgumentException($"unknown option {args[i]}; see the comment at the top of touch-keys.cs"),
            };
        }

        return a.Pid > 0 ? a : throw new ArgumentException("--pid SILO_PID is required (the process whose memory is measured)");
    }
}

internal static class Rss
{
    /// <summary>VmRSS of a process in bytes (0 if it is gone).</summary>
    public static long Of(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public static string Format(long bytes) => $"{bytes / 1024.0 / 1024.0:N0} MB";
}
