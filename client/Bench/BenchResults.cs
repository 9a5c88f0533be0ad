using System.Text.Json.Serialization;

namespace OrleansKms.Cli.Bench;

/// <summary>One measured operation under one key setup: throughput, latency percentiles and errors.</summary>
internal sealed record OperationResult(
    string Target,
    string Operation,
    string Setup,
    int Keys,
    int Concurrency,
    double Seconds,
    long Operations,
    double OpsPerSecond,
    double MeanMs,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs,
    long Errors,
    IReadOnlyDictionary<string, long> ErrorKinds,
    CpuUse? CpuPercent);

/// <summary>KMS Encrypt against the ceiling's Encrypt, for one key setup.</summary>
internal sealed record CeilingComparison(
    string Setup,
    double KmsOpsPerSecond,
    double CeilingOpsPerSecond,
    double OpsRatio,
    double KmsP99Ms,
    double CeilingP99Ms,
    double P99Ratio);

/// <summary>Everything one bench run measured, as printed and as written by --json.</summary>
internal sealed record BenchResults(
    string Endpoint,
    string Region,
    int Concurrency,
    double DurationSeconds,
    double WarmupSeconds,
    int Keys,
    int PlaintextBytes,
    string Machine,
    int? ServerPid,
    DateTimeOffset StartedAt,
    IReadOnlyList<OperationResult> Results,
    OperationResult? Ceiling,
    IReadOnlyList<CeilingComparison> Comparisons);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BenchResults))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
