using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansKms.Gateway.Auth;
using OrleansKms.Grains;
using OrleansKms.Hosting;

namespace OrleansKms.Cli.Bench;

/// <summary>
/// <c>kms bench --asymmetric-primitive</c>: on one thread, the cost of one Sign and one Verify as the service does
/// them (<see cref="CryptoService"/>, which the gateway calls in-process: key resolution, the silo's key snapshot,
/// authorization, state and algorithm checks, the signature) against the bare primitive on an already-loaded key
/// (RSA.SignHash, ECDsa.SignHash, BouncyCastle's Ed25519 and ML-DSA signers). The service runs in this process
/// (memory storage); no HTTP is involved.
/// </summary>
internal static class AsymmetricPrimitiveBench
{
    public const string Usage = """
        Usage: kms bench --asymmetric-primitive [--duration TIME] [--rounds N] [--specs LIST]
          Starts an in-process service (memory storage), creates one SIGN_VERIFY key per spec, and measures on one
          thread the time of one Sign and one Verify through the service's crypto path against the bare primitive,
          alternating the two in N rounds (default 7) of TIME each (default 200ms); prints the median per operation
          (CPU time of the thread on Linux, so preemption on a busy machine does not count) and the ratio.
          RSA and ECDSA sign a SHA-2 digest (MessageType DIGEST, SignHash); Ed25519 and ML-DSA a 256-byte RAW
          message. LIST defaults to every SIGN_VERIFY key spec but SM2.
        """;

    public static Task<int> RunAsync(string[] args, CancellationToken cancel) => RunAsync(args, Console.Out, cancel);

    /// <summary>Runs the bench, writing its table to <paramref name="output"/> (errors go to standard error).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancel)
    {
        var (slice, rounds, specs) = (TimeSpan.FromMilliseconds(200), 7, SigningSpecs.All);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") { output.WriteLine(Usage); return 0; }
            if (name == "--asymmetric-primitive") continue;
            var value = i + 1 < args.Length ? args[++i] : null;
            switch (name, value)
            {
                case ("--duration", { } v) when BenchOptions.TryParseTime(v, out var t) && t > TimeSpan.Zero: slice = t; break;
                case ("--rounds", { } v) when int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 100: rounds = n; break;
                case ("--specs", { } v) when v.Split(',').All(SigningSpecs.All.Contains): specs = v.Split(','); break;
                default:
                    Console.Error.WriteLine($"kms bench: bad option {name} {value}\n{Usage}");
                    return 2;
            }
        }

        var data = Path.Combine(Path.GetTempPath(), $"kms-asymmetric-bench-{Guid.NewGuid():N}");
        await using var server = await KmsServer.StartAsync(new KmsServerOptions
        {
            Port = 0, Storage = KmsStorageMode.Memory, Regions = ["us-east-1"], DataDirectory = data, Audit = false,
            SiloPort = FreePort(), SiloGatewayPort = FreePort(), LogLevel = LogLevel.Error,
        }, cancel);
        try
        {
            var crypto = server.Services.GetRequiredService<CryptoService>();
            var caller = KmsIdentity.Development.ToCaller("127.0.0.1", secureTransport: false, "us-east-1");
            using var kms = KmsWorkload.CreateClient(server.Endpoint, "us-east-1", "test", "test", concurrency: 1);
            output.WriteLine($"Sign and Verify on one thread: the service's crypto path against the bare primitive; {rounds} rounds of " +
                $"{slice.TotalMilliseconds:0} ms each, medians in microseconds of thread CPU time per operation; {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
            output.WriteLine();
            output.WriteLine("| key spec | algorithm | Sign primitive us | Sign service us | service / primitive | Verify primitive us | Verify service us | service / primitive |");
            output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
            foreach (var spec in specs)
            {
                var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = "SIGN_VERIFY" }, cancel)).KeyMetadata.KeyId;
                foreach (var algorithm in PrimitiveSigners.AlgorithmsOf(spec))
                {
                    using var bare = PrimitiveSigners.Create(spec, algorithm);
                    var message = bare.Message;
                    var signature = (await crypto.SignAsync(new SignatureCommand(caller, keyId, "us-east-1", message, bare.MessageType, algorithm, null, false))).Signature;
                    var sign = new SignatureCommand(caller, keyId, "us-east-1", message, bare.MessageType, algorithm, null, false);
                    var verify = sign with { Signature = signature };
                    var primitiveSignature = bare.Sign();
                    if (!bare.Verify(primitiveSignature)) throw new InvalidOperationException($"the bare {algorithm} signature did not verify");
                    var (signPrimitive, signService) = await CompareAsync(() => { bare.Sign(); return ValueTask.CompletedTask; },
                        async () => await crypto.SignAsync(sign), slice, rounds, cancel);
                    var (verifyPrimitive, verifyService) = await CompareAsync(() => { bare.Verify(primitiveSignature); return ValueTask.CompletedTask; },
                        async () => await crypto.VerifyAsync(verify), slice, rounds, cancel);
                    output.WriteLine(FormattableString.Invariant(
                        $"| {spec} | {algorithm} | {signPrimitive:0.0} | {signService:0.0} | {signService / signPrimitive:0.00} | {verifyPrimitive:0.0} | {verifyService:0.0} | {verifyService / verifyPrimitive:0.00} |"));
                }
            }

            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    /// <summary>Median microseconds per call of each, measured alternately (primitive, service) so drifts of the machine hit both.</summary>
    private static async Task<(double Primitive, double Service)> CompareAsync(Func<ValueTask> primitive, Func<ValueTask> service,
        TimeSpan slice, int rounds, CancellationToken cancel)
    {
        await TimeAsync(primitive, slice / 2, cancel);
        await TimeAsync(service, slice / 2, cancel);
        var (p, s) = (new List<double>(), new List<double>());
        for (var r = 0; r < rounds; r++)
        {
            p.Add(await TimeAsync(primitive, slice, cancel));
            s.Add(await TimeAsync(service, slice, cancel));
        }

        return (Median(p), Median(s));
    }

    /// <summary>
    /// Microseconds per call of <paramref name="operation"/> over <paramref name="slice"/> of wall time: CPU time of
    /// this thread where the OS gives it (Linux), so that time the thread spends preempted on a busy machine does not
    /// count; wall time otherwise, or if a call completed on another thread.
    /// </summary>
    private static async Task<double> TimeAsync(Func<ValueTask> operation, TimeSpan slice, CancellationToken cancel)
    {
        var thread = Environment.CurrentManagedThreadId;
        var cpuStarted = ThreadCpu.Now();
        var started = Stopwatch.GetTimestamp();
        long calls = 0;
        TimeSpan elapsed;
        do
        {
            await operation();
            calls++;
            elapsed = Stopwatch.GetElapsedTime(started);
        }
        while (elapsed < slice && !cancel.IsCancellationRequested);
        var cpu = ThreadCpu.Now() - cpuStarted;
        cancel.ThrowIfCancellationRequested();
        var sameThread = Environment.CurrentManagedThreadId == thread;
        return (cpuStarted >= TimeSpan.Zero && sameThread ? cpu : elapsed).TotalMicroseconds / calls;
    }

    /// <summary>The calling thread's CPU time (clock_gettime CLOCK_THREAD_CPUTIME_ID); negative where unavailable.</summary>
    private static class ThreadCpu
    {
        private const int ClockThreadCpuTimeId = 3;

        public static TimeSpan Now()
        {
            if (!OperatingSystem.IsLinux()) return TimeSpan.FromTicks(-1);
            return ClockGetTime(ClockThreadCpuTimeId, out var t) == 0 ? TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100) : TimeSpan.FromTicks(-1);
        }

        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out TimeSpec time);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
