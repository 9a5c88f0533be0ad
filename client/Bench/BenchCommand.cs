using System.Runtime.InteropServices;
using System.Text.Json;
using Amazon.Runtime;

namespace OrleansKms.Cli.Bench;

/// <summary>
/// <c>kms bench</c>: creates keys, then drives Encrypt, Decrypt and GenerateDataKey with one key and with many keys,
/// then the in-process ceiling, and prints (and optionally writes as JSON) what it measured.
/// Exit codes: 0 all calls succeeded, 1 some call failed or setup failed, 2 bad command line, 130 interrupted.
/// </summary>
internal static class BenchCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancel)
    {
        if (args.Contains("--envelope")) return await EnvelopeBench.RunAsync(args, cancel);
        if (args.Contains("--create-rsa")) return await CreateRsaBench.RunAsync(args, cancel);
        if (args.Contains("--asymmetric-primitive")) return await AsymmetricPrimitiveBench.RunAsync(args, cancel);
        if (args.Contains("--create-keys")) return await CreateKeysBench.RunAsync(args, cancel);
        if (!BenchOptions.TryParse(args, out var options, out var error))
        {
            if (error is null)
            {
                Console.WriteLine(BenchOptions.Usage);
                return 0;
            }

            Console.Error.WriteLine($"kms bench: {error}");
            Console.Error.WriteLine("Run 'kms bench --help' for usage.");
            return 2;
        }

        try
        {
            var results = await RunAsync(options, new BenchReport(Console.Out), cancel);
            if (options.JsonFile is { } file)
            {
                await File.WriteAllTextAsync(file, JsonSerializer.Serialize(results, BenchJsonContext.Default.BenchResults), cancel);
                Console.WriteLine($"\nResults written to {file}.");
            }

            return results.Results.Append(results.Ceiling).Any(r => r?.Errors > 0) ? 1 : 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("kms bench: interrupted.");
            return 130;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or InvalidOperationException)
        {
            Console.Error.WriteLine($"kms bench: setup against {options.Endpoint} failed: {LoadRunner.Describe(e, cancel)}");
            return 1;
        }
    }

    private static async Task<BenchResults> RunAsync(BenchOptions o, BenchReport report, CancellationToken cancel)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var machine = Machine();
        var serverPid = CpuSampler.FindListener(o.Endpoint.Port);
        report.Header(o, machine, serverPid);
        var results = new List<OperationResult>();
        using (var client = KmsWorkload.CreateClient(o.Endpoint, o.Region, o.AccessKey, o.SecretKey, o.Concurrency))
        {
            var workload = new KmsWorkload(client, o.Concurrency);
            var setups = await CreateSetupsAsync(workload, o, cancel);
            await WarmUpAsync(workload, setups, o, cancel);
            report.TableHeader();
            foreach (var (setup, operation) in Rows(setups, o))
            {
                var measured = await LoadRunner.RunAsync(workload.CallFor(operation, setup), o.Concurrency, o.Warmup, o.Duration, serverPid, cancel);
                results.Add(Result("KMS", KmsWorkload.DisplayName(operation), setup.Name, setup.KeyIds.Count, o, measured));
                report.Row(results[^1]);
            }
        }

        var ceiling = o.Ceiling && o.Operations.Contains("encrypt") ? await MeasureCeilingAsync(o, cancel) : null;
        if (ceiling is not null) report.Row(ceiling);
        var comparisons = ceiling is null ? [] : Compare(results, ceiling);
        report.Comparisons(comparisons, o.Concurrency);
        report.Errors(ceiling is null ? results : results.Append(ceiling));
        return new BenchResults(o.Endpoint.ToString(), o.Region, o.Concurrency, o.Duration.TotalSeconds, o.Warmup.TotalSeconds,
            o.Keys, KmsWorkload.PlaintextBytes, machine, serverPid, startedAt, results, ceiling, comparisons);
    }

    private static async Task<List<KeySetup>> CreateSetupsAsync(KmsWorkload workload, BenchOptions o, CancellationToken cancel)
    {
        var setups = new List<KeySetup>();
        if (o.Operations.Any(op => !KmsWorkload.IsSigningOperation(op)))
        {
            Console.WriteLine($"Setup: creating {o.Keys} keys and the ciphertexts Decrypt replays...");
            setups.AddRange(await workload.CreateSetupsAsync(o.Keys, cancel));
        }

        if (o.Operations.Any(KmsWorkload.IsSigningOperation))
        {
            Console.WriteLine($"Setup: creating a signing key of each of {string.Join(", ", o.SigningSpecs)}...");
            setups.AddRange(await workload.CreateSigningSetupsAsync(o.SigningSpecs, cancel));
        }

        return setups;
    }

    private static IEnumerable<(KeySetup Setup, string Operation)> Rows(IEnumerable<KeySetup> setups, BenchOptions o) =>
        setups.SelectMany(setup => o.Operations.Where(op => KmsWorkload.Applies(op, setup)).Select(op => (setup, op)));

    /// <summary>
    /// Runs every row once, unmeasured, for the warm-up time before the first measurement: a fresh load generator
    /// JITs the SDK's code while it runs, and with the cores saturated a 3 s per-row warm-up alone left the first row
    /// measuring the load generator's tiering rather than the server.
    /// </summary>
    private static async Task WarmUpAsync(KmsWorkload workload, IReadOnlyList<KeySetup> setups, BenchOptions o, CancellationToken cancel)
    {
        if (o.Warmup <= TimeSpan.Zero) return;
        var rows = Rows(setups, o).Select(row => workload.CallFor(row.Operation, row.Setup)).ToList();
        Console.WriteLine($"Warm-up: every row once for {o.Warmup.TotalSeconds:0.###} s, unmeasured ({rows.Count * o.Warmup.TotalSeconds:0.###} s)...");
        foreach (var call in rows)
            await LoadRunner.RunAsync(call, o.Concurrency, TimeSpan.Zero, o.Warmup, serverPid: null, cancel);
    }

    private static async Task<OperationResult> MeasureCeilingAsync(BenchOptions o, CancellationToken cancel)
    {
        await using var server = await CeilingServer.StartAsync(o.Region, cancel);
        using var client = KmsWorkload.CreateClient(server.Endpoint, o.Region, o.AccessKey, o.SecretKey, o.Concurrency);
        var workload = new KmsWorkload(client, o.Concurrency);
        var measured = await LoadRunner.RunAsync((_, _, ct) => workload.EncryptAsync(CeilingServer.KeyId, ct),
            o.Concurrency, o.Warmup, o.Duration, serverPid: null, cancel);
        return Result("ceiling", "Encrypt", "1 key", 1, o, measured);
    }

    private static List<CeilingComparison> Compare(IEnumerable<OperationResult> results, OperationResult ceiling) =>
        results.Where(r => r.Operation == "Encrypt")
            .Select(r => new CeilingComparison(r.Setup, r.OpsPerSecond, ceiling.OpsPerSecond,
                Ratio(r.OpsPerSecond, ceiling.OpsPerSecond), r.P99Ms, ceiling.P99Ms, Ratio(r.P99Ms, ceiling.P99Ms)))
            .ToList();

    private static double Ratio(double a, double b) => b > 0 ? a / b : 0;

    private static OperationResult Result(string target, string operation, string setup, int keys, BenchOptions o, Measurement m) =>
        new(target, operation, setup, keys, o.Concurrency, Math.Round(m.Seconds, 3), m.Operations, Math.Round(m.OpsPerSecond, 1),
            Math.Round(m.Latency.MeanMs, 3), m.Latency.PercentileMs(50), m.Latency.PercentileMs(99), m.Latency.PercentileMs(99.9),
            m.Latency.MaxMicros / 1000.0, m.Errors, m.ErrorKinds, m.Cpu);

    /// <summary>Cores, CPU model, memory, runtime: enough to tell two result files apart.</summary>
    private static string Machine()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memoryGiB = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} logical CPUs ({model ?? RuntimeInformation.ProcessArchitecture.ToString()}), " +
            $"{memoryGiB:F0} GiB, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}";
    }
}
