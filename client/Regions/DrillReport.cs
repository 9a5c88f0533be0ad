using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OrleansKms.Cli.Regions;

/// <summary>The drill's report: for a person (<see cref="WriteText"/>) or as JSON (<see cref="WriteJson"/>).</summary>
internal static class DrillReport
{
    private static readonly string[] PhaseTitles = ["before the outage", "primary stopped", "replica stopped", "after"];

    // Messages quote key ARNs: printed as they are ('), not escaped for embedding in HTML (\u0027).
    private static readonly DrillJsonContext Json = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static void WriteJson(TextWriter output, DrillResults results) =>
        output.WriteLine(JsonSerializer.Serialize(results, Json.DrillResults));

    public static void WriteText(TextWriter output, DrillResults r)
    {
        output.WriteLine();
        output.WriteLine(Invariant($"Failover drill at {r.Endpoint}, started {r.StartedAt:u}"));
        output.WriteLine($"  Regions:  primary {r.Primary}, replica {r.Replica}");
        output.WriteLine(Invariant($"  Key:      {r.KeyId} (multi-Region, symmetric); the replica was Enabled {r.ReplicaEnabledAfterMs:0.#} ms after ReplicateKey"));
        output.WriteLine(Invariant($"  Load:     {Workers(r.Concurrency)} per Region for {r.DurationSeconds:0.###} s; {r.Primary}: Encrypt, Decrypt; ") +
            $"{r.Replica}: Decrypt of {r.Primary}'s ciphertext, Encrypt, GenerateDataKey");
        output.WriteLine();
        WritePhases(output, r);
        output.WriteLine();
        WriteFailures(output, r);
        WriteReplication(output, r);
        output.WriteLine();
        output.WriteLine("Expectations");
        foreach (var e in r.Expectations) output.WriteLine($"  {(e.Held ? "PASS" : "FAIL")}  {e.Name} ({e.Detail})");
        output.WriteLine(r.Passed ? "Result: PASSED" : "Result: FAILED");
    }

    private static void WritePhases(TextWriter output, DrillResults r)
    {
        var primary = $"{r.Primary} (primary)";
        var replica = $"{r.Replica} (replica)";
        output.WriteLine("Requests by phase (counted when they ended; seconds since the load began)");
        output.WriteLine($"  {"PHASE",-19}{"FROM",8}{"TO",8}   {primary,-22}  {replica}");
        output.WriteLine($"  {"",-19}{"",8}{"",8}   {"served",10} {"failed",11}  {"served",10} {"failed",11}");
        foreach (var (phase, title) in r.Phases.Zip(PhaseTitles))
        {
            output.WriteLine(Invariant($"  {title,-19}{phase.FromSeconds,7:0.0}s{phase.ToSeconds,7:0.0}s   ") +
                Invariant($"{phase.Primary.Served,10} {phase.Primary.Failed,11}  {phase.Replica.Served,10} {phase.Replica.Failed,11}"));
        }
    }

    private static void WriteFailures(TextWriter output, DrillResults r)
    {
        var failures = r.Phases.Zip(PhaseTitles)
            .SelectMany(p => new[] { p.First.Primary, p.First.Replica }.SelectMany(c => c.Failures.Select(f => (Phase: p.Second, c.Region, f.Key, f.Value))))
            .ToList();
        if (failures.Count == 0) return;
        output.WriteLine("Failed requests by kind");
        foreach (var f in failures) output.WriteLine($"  {f.Phase}, {f.Region}: {f.Value} x {f.Key}");
        output.WriteLine();
    }

    private static void WriteReplication(TextWriter output, DrillResults r)
    {
        var o = r.Outage;
        output.WriteLine(Invariant($"Outage of {r.Primary}: stop asked for at {o.StoppedAtSeconds:0.0} s (it took {o.StopTookMs:0} ms), running again at {o.StartedAgainAtSeconds:0.0} s"));
        output.WriteLine(o.ReplicaFirstServedAfterMs is { } first
            ? Invariant($"  {r.Replica} served its first request {first:0.#} ms after the stop was asked for")
            : $"  {r.Replica} served no request sent after the stop was asked for");
        var lag = r.ReplicationLag;
        output.WriteLine(Invariant($"Replication lag (EnableKeyRotation in {r.Primary} until GetKeyRotationStatus in {r.Replica} reports the period):"));
        output.WriteLine(lag.Count == 0 ? "  no probe arrived"
            : Invariant($"  {lag.Count} probes: p50 {lag.P50Ms:0.#} ms, p99 {lag.P99Ms:0.#} ms, max {lag.MaxMs:0.#} ms"));
        if (lag.TimedOut + lag.Failed > 0) output.WriteLine($"  {lag.TimedOut} timed out, {lag.Failed} failed; first: {lag.FirstError}");
        var q = r.QueuedChange;
        output.WriteLine(Invariant($"Queued change: RotationPeriodInDays {q.RotationPeriodInDays} set in {r.Primary} at {q.ChangedAtSeconds:0.0} s while {r.Replica} was stopped; {r.Replica} started at {q.ReplicaStartedAtSeconds:0.0} s"));
        output.WriteLine(q.Arrived
            ? Invariant($"  queued change arrived {q.ArrivedAfterReplicaStartMs:0.#} ms after {r.Replica} started ({q.ArrivedAfterChangeMs:0.#} ms after the change)")
            : $"  queued change did not arrive: {q.Error}");
        var m = r.PrimaryMove;
        output.WriteLine(m.Moved
            ? Invariant($"UpdatePrimaryRegion to {m.NewPrimaryRegion}: {m.NewPrimaryRegion} reported itself PRIMARY {m.TookMs:0.#} ms after the request")
            : $"UpdatePrimaryRegion to {m.NewPrimaryRegion}: the primary did not move: {m.Error}");
    }

    private static string Workers(int n) => n == 1 ? "1 worker" : $"{n} workers";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
