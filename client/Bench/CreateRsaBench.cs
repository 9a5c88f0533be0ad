using System.Diagnostics;
using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace OrleansKms.Cli.Bench;

/// <summary>
/// <c>kms bench --create-rsa</c>: the latency of CreateKey for RSA keys (what the server's pool of pre-generated RSA
/// keys is for), one caller, N keys per spec with usages alternating SIGN_VERIFY and ENCRYPT_DECRYPT, and a
/// SYMMETRIC_DEFAULT row to compare with (CreateKey without any key generation worth the name).
/// </summary>
internal static class CreateRsaBench
{
    public const string Usage = """
        Usage: kms bench --create-rsa [--keys N] [--pause TIME] [--specs LIST] [--endpoint URL] [--region NAME]
                                      [--access-key KEY] [--secret-key SECRET]
          Creates N keys (default 4) of each spec of LIST (default RSA_2048,RSA_3072,RSA_4096,SYMMETRIC_DEFAULT), one
          at a time, usages alternating SIGN_VERIFY and ENCRYPT_DECRYPT for RSA, waiting TIME (default 0s) between two
          calls, and prints CreateKey's latency: p50, p99, max and mean. The server keeps a few RSA keys of each size
          ready (silo --rsa-key-pool, default 2048=8,3072=4,4096=4): more keys than that (plus one unmeasured
          warm-up key per spec), created faster than the server generates them in the background, measure key
          generation on the request path.
        """;

    private static readonly string[] DefaultSpecs = ["RSA_2048", "RSA_3072", "RSA_4096", "SYMMETRIC_DEFAULT"];

    public static Task<int> RunAsync(string[] args, CancellationToken cancel) => RunAsync(args, Console.Out, cancel);

    /// <summary>Runs the bench, writing its table to <paramref name="output"/> (errors go to standard error).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancel)
    {
        var (endpoint, region, accessKey, secretKey) = (new Uri("http://127.0.0.1:4566"), "us-east-1", "test", "test");
        var (keys, pause, specs) = (4, TimeSpan.Zero, DefaultSpecs);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") { output.WriteLine(Usage); return 0; }
            if (name == "--create-rsa") continue;
            var value = i + 1 < args.Length ? args[++i] : null;
            switch (name, value)
            {
                case ("--keys", { } v) when int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 10_000: keys = n; break;
                case ("--pause", { } v) when BenchOptions.TryParseTime(v, out var t) && t >= TimeSpan.Zero: pause = t; break;
                case ("--specs", { } v) when v.Split(',').All(DefaultSpecs.Contains): specs = v.Split(','); break;
                case ("--endpoint", { } v) when Uri.TryCreate(v, UriKind.Absolute, out var uri) && uri.IsLoopback: endpoint = uri; break;
                case ("--region", { } v): region = v; break;
                case ("--access-key", { } v): accessKey = v; break;
                case ("--secret-key", { } v): secretKey = v; break;
                default:
                    Console.Error.WriteLine($"kms bench: bad option {name} {value}\n{Usage}");
                    return 2;
            }
        }

        using var client = KmsWorkload.CreateClient(endpoint, region, accessKey, secretKey, concurrency: 1);
        output.WriteLine($"CreateKey latency against {endpoint}, one caller, {keys} keys per spec, {pause.TotalMilliseconds:0} ms between calls");
        output.WriteLine();
        output.WriteLine("| key spec | keys | p50 ms | p99 ms | max ms | mean ms |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        // One unmeasured key of each spec first: the client's start-up (SDK, connection) and the server's first use of
        // each key type's code are not the latency of CreateKey. With a pool, it takes one pooled key per spec.
        foreach (var spec in specs)
        {
            await client.CreateKeyAsync(new CreateKeyRequest
            {
                KeySpec = spec, KeyUsage = spec == "SYMMETRIC_DEFAULT" ? KeyUsageType.ENCRYPT_DECRYPT : KeyUsageType.SIGN_VERIFY,
                Description = "kms bench --create-rsa warm-up",
            }, cancel);
        }

        foreach (var spec in specs)
        {
            var latencies = new List<double>(keys);
            for (var k = 0; k < keys; k++)
            {
                if (k > 0 && pause > TimeSpan.Zero) await Task.Delay(pause, cancel);
                var request = new CreateKeyRequest
                {
                    KeySpec = spec,
                    KeyUsage = spec == "SYMMETRIC_DEFAULT" ? KeyUsageType.ENCRYPT_DECRYPT : k % 2 == 0 ? KeyUsageType.SIGN_VERIFY : KeyUsageType.ENCRYPT_DECRYPT,
                    Description = "kms bench --create-rsa",
                };
                var started = Stopwatch.GetTimestamp();
                await client.CreateKeyAsync(request, cancel);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            latencies.Sort();
            output.WriteLine(FormattableString.Invariant(
                $"| {spec} | {keys} | {Percentile(latencies, 50):0.0} | {Percentile(latencies, 99):0.0} | {latencies[^1]:0.0} | {latencies.Average():0.0} |"));
        }

        return 0;
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double percent) =>
        sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
