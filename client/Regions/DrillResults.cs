using System.Text.Json.Serialization;

namespace OrleansKms.Cli.Regions;

/// <summary>The drill's phases, in order; requests count in the phase in which they ended.</summary>
internal static class DrillPhase
{
    /// <summary>Both Regions up, before the primary is stopped.</summary>
    public const int Before = 0;

    /// <summary>From the primary's stop request until its start request returned.</summary>
    public const int PrimaryOutage = 1;

    /// <summary>From then until the replica, stopped to show queued replication, was started again.</summary>
    public const int ReplicaOutage = 2;

    /// <summary>Both Regions up again, until the load ends.</summary>
    public const int After = 3;

    public static readonly string[] Names = ["before", "primary-outage", "replica-outage", "after"];
}

/// <summary>Requests one Region served and failed in one phase, and the failures by kind.</summary>
internal sealed record RegionCounts(string Region, string Role, long Served, long Failed, IReadOnlyDictionary<string, long> Failures);

/// <summary>One phase of the drill: when it ran (seconds since the load began) and what each Region did.</summary>
internal sealed record PhaseResult(string Name, DateTimeOffset StartedAt, DateTimeOffset EndedAt, double FromSeconds, double ToSeconds,
    RegionCounts Primary, RegionCounts Replica);

/// <summary>
/// Replication lag probes: a rotation period changed in the primary until the replica reported it, measured from
/// EnableKeyRotation's answer. <see cref="Count"/> probes arrived; <see cref="TimedOut"/> did not within --wait;
/// <see cref="Failed"/> got an error (the first is <see cref="FirstError"/>).
/// </summary>
internal sealed record LagResult(int Count, int TimedOut, int Failed, double? P50Ms, double? P99Ms, double? MaxMs, string? FirstError);

/// <summary>
/// The primary's outage: when the stop was asked for and how long it took, when the primary was running again, and
/// how long after the stop was asked for the replica answered a request (sent after it) successfully.
/// </summary>
internal sealed record OutageResult(double StoppedAtSeconds, double StopTookMs, double StartedAgainAtSeconds, double? ReplicaFirstServedAfterMs);

/// <summary>
/// The change made in the primary while the replica was stopped, and when the replica reported it: after the
/// replica was started again, and after the change.
/// </summary>
internal sealed record QueuedChangeResult(int RotationPeriodInDays, double ChangedAtSeconds, double ReplicaStartedAtSeconds, bool Arrived,
    double? ArrivedAfterReplicaStartMs, double? ArrivedAfterChangeMs, string? Error);

/// <summary>UpdatePrimaryRegion to the replica Region, and how long until the replica reported itself PRIMARY.</summary>
internal sealed record PrimaryMoveResult(string NewPrimaryRegion, bool Moved, double? TookMs, string? Error);

/// <summary>One thing the drill expects of the service, whether it held, and the numbers that say so.</summary>
internal sealed record Expectation(string Name, bool Held, string Detail);

/// <summary>Everything one drill measured, as printed and as written by <c>--output json</c>.</summary>
internal sealed record DrillResults(
    string Endpoint,
    string Primary,
    string Replica,
    string KeyId,
    int Concurrency,
    double DurationSeconds,
    DateTimeOffset StartedAt,
    double ReplicaEnabledAfterMs,
    IReadOnlyList<PhaseResult> Phases,
    LagResult ReplicationLag,
    OutageResult Outage,
    QueuedChangeResult QueuedChange,
    PrimaryMoveResult PrimaryMove)
{
    /// <summary>The drill's expectations: the exit code is 0 when all held.</summary>
    public IReadOnlyList<Expectation> Expectations => [ReplicaServed(), QueuedChangeArrived(), PrimaryMoved()];

    public bool Passed => Expectations.All(e => e.Held);

    public PhaseResult Phase(int phase) => Phases[phase];

    private Expectation ReplicaServed()
    {
        var r = Phase(DrillPhase.PrimaryOutage).Replica;
        return new Expectation($"{Replica} served during the {Primary} outage with no failures", r.Served > 0 && r.Failed == 0,
            $"{r.Served} served, {r.Failed} failed");
    }

    private Expectation QueuedChangeArrived() =>
        new($"the change queued while {Replica} was stopped arrived", QueuedChange.Arrived,
            QueuedChange.Arrived ? $"{QueuedChange.ArrivedAfterReplicaStartMs:0.#} ms after {Replica} started"
            : QueuedChange.Error ?? $"not reported by {Replica} within the wait");

    private Expectation PrimaryMoved() =>
        new($"the primary moved to {Replica}", PrimaryMove.Moved,
            PrimaryMove.Moved ? $"{Replica} reported PRIMARY after {PrimaryMove.TookMs:0.#} ms" : PrimaryMove.Error ?? "not within the wait");
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DrillResults))]
internal sealed partial class DrillJsonContext : JsonSerializerContext;
