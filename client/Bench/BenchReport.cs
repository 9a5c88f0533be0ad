using System.Globalization;

namespace OrleansKms.Cli.Bench;

/// <summary>The human-readable side of a bench run: a header, one table row per measurement, the ceiling ratio, errors.</summary>
internal sealed class BenchReport(TextWriter output)
{
    private const string RowFormat = "{0,-8} {1,-16} {2,-21} {3,8} {4,8} {5,8} {6,9} {7,8} {8,7} {9,7} {10,8} {11,7}";
    private const double GoalOpsRatio = 0.5;
    private const double GoalP99Ms = 10;

    public void Header(BenchOptions o, string machine, int? serverPid)
    {
        output.WriteLine($"kms bench: {o.Endpoint.ToString().TrimEnd('/')} (region {o.Region}), {o.Concurrency} concurrent callers, " +
            $"{Seconds(o.Duration)} measured after {Seconds(o.Warmup)} warm-up per row, {KmsWorkload.PlaintextBytes}-byte plaintext");
        output.WriteLine($"machine: {machine}");
        output.WriteLine(serverPid is { } pid
            ? $"server: process {pid} listens on port {o.Endpoint.Port}; cpu columns are % of all cores (bench = this process)"
            : $"server: no process found listening on port {o.Endpoint.Port}; the server's CPU is counted under other%");
        output.WriteLine();
    }

    public void TableHeader()
    {
        output.WriteLine(Format(RowFormat, "target", "operation", "setup", "ops/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors", "bench%", "server%", "other%"));
        output.WriteLine(new string('-', 131));
    }

    public void Row(OperationResult r) =>
        output.WriteLine(Format(RowFormat, r.Target, r.Operation, r.Setup, r.OpsPerSecond.ToString("F0", CultureInfo.InvariantCulture),
            Ms(r.P50Ms), Ms(r.P99Ms), Ms(r.P999Ms), Ms(r.MaxMs), r.Errors,
            Cpu(r.CpuPercent?.Bench), Cpu(r.CpuPercent?.Server), Cpu(r.CpuPercent?.Other)));

    public void Comparisons(IReadOnlyList<CeilingComparison> comparisons, int concurrency)
    {
        if (comparisons.Count == 0) return;
        output.WriteLine();
        output.WriteLine("KMS / ceiling, Encrypt (ceiling: bare Kestrel + AES-256-GCM, no Orleans, no SigV4 verification):");
        foreach (var c in comparisons)
        {
            output.WriteLine(Format("  {0,-10} ops/s {1:F0} / {2:F0} = {3}   p99 {4} ms vs {5} ms ({6:F1}x)",
                c.Setup, c.KmsOpsPerSecond, c.CeilingOpsPerSecond, Percent(c.OpsRatio), Ms(c.KmsP99Ms), Ms(c.CeilingP99Ms), c.P99Ratio));
        }

        output.WriteLine();
        output.WriteLine($"Goal: Encrypt at >= {Percent(GoalOpsRatio)} of the ceiling, p99 under {GoalP99Ms} ms at {concurrency} concurrent callers:");
        foreach (var c in comparisons)
        {
            output.WriteLine(Format("  {0,-10} throughput {1} ({2}), p99 {3} ({4} ms)", c.Setup,
                c.OpsRatio >= GoalOpsRatio ? "met" : "NOT met", Percent(c.OpsRatio),
                c.KmsP99Ms < GoalP99Ms ? "met" : "NOT met", Ms(c.KmsP99Ms)));
        }
    }

    public void Errors(IEnumerable<OperationResult> results)
    {
        var failed = results.Where(r => r.Errors > 0).ToList();
        if (failed.Count == 0) return;
        output.WriteLine();
        output.WriteLine("Errors (what the server answered):");
        foreach (var r in failed)
        {
            output.WriteLine($"  {r.Target} {r.Operation} {r.Setup}:");
            foreach (var (kind, n) in r.ErrorKinds.OrderByDescending(e => e.Value))
                output.WriteLine($"    {n,7} x {kind}");
        }
    }

    private static string Format(string format, params object?[] args) => string.Format(CultureInfo.InvariantCulture, format, args);

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "F2" : ms < 100 ? "F1" : "F0", CultureInfo.InvariantCulture);

    private static string Cpu(double? percent) => percent is { } p ? p.ToString("F0", CultureInfo.InvariantCulture) : "-";

    private static string Percent(double ratio) => (ratio * 100).ToString("F0", CultureInfo.InvariantCulture) + "%";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
