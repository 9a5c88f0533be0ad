using System.Diagnostics;
using System.Numerics;

namespace OrleansKms.Cli.Bench;

/// <summary>
/// An HDR-style latency histogram in microseconds: exact below 128 µs, then 64 sub-buckets per power of two
/// (relative error under 1.6%). One recorder per worker, so recording is an array increment with no lock and no
/// allocation; <see cref="Merge"/> adds recorders together at the end.
/// </summary>
/// <remarks>
/// Layout: values 0..127 map to buckets 0..127. A larger value v with highest set bit b (b >= 7) is shifted right by
/// s = b - 6 so that v >> s lies in 64..127; its bucket is 128 + (s - 1) * 64 + (v >> s) - 64. Values above
/// <see cref="MaxMicroseconds"/> are clamped into the last bucket (and still counted in <see cref="MaxMicros"/>).
/// </remarks>
internal sealed class LatencyRecorder
{
    private const int SubBuckets = 64;
    private const int MaxShift = 24; // covers values up to 2^31 µs (about 35 minutes)
    private const long MaxMicroseconds = (2L * SubBuckets << MaxShift) - 1;
    private const int BucketCount = 2 * SubBuckets + MaxShift * SubBuckets;

    private readonly long[] _counts = new long[BucketCount];

    public long Count { get; private set; }

    public long MaxMicros { get; private set; }

    public long SumMicros { get; private set; }

    /// <summary>Records the time elapsed since a <see cref="Stopwatch.GetTimestamp"/> value.</summary>
    public void RecordSince(long startTimestamp, long endTimestamp) =>
        Record((long)Stopwatch.GetElapsedTime(startTimestamp, endTimestamp).TotalMicroseconds);

    public void Record(long micros)
    {
        if (micros < 0) micros = 0;
        Count++;
        SumMicros += micros;
        if (micros > MaxMicros) MaxMicros = micros;
        _counts[BucketOf(Math.Min(micros, MaxMicroseconds))]++;
    }

    /// <summary>Empties the recorder (an interval's figures are taken, the next interval starts).</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        Count = 0;
        SumMicros = 0;
        MaxMicros = 0;
    }

    public void Merge(LatencyRecorder other)
    {
        for (var i = 0; i < BucketCount; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        SumMicros += other.SumMicros;
        MaxMicros = Math.Max(MaxMicros, other.MaxMicros);
    }

    /// <summary>The latency at percentile <paramref name="percent"/> (0-100) in milliseconds; 0 when empty.</summary>
    /// <remarks>Reports the upper edge of the bucket holding the rank (never below the true value), capped at the maximum.</remarks>
    public double PercentileMs(double percent)
    {
        if (Count == 0) return 0;
        var rank = Math.Max(1, (long)Math.Ceiling(percent / 100.0 * Count));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(UpperEdgeOf(i), MaxMicros) / 1000.0;
        }

        return MaxMicros / 1000.0;
    }

    public double MeanMs => Count == 0 ? 0 : SumMicros / 1000.0 / Count;

    private static int BucketOf(long micros)
    {
        if (micros < 2 * SubBuckets) return (int)micros;
        var shift = 63 - BitOperations.LeadingZeroCount((ulong)micros) - 6;
        return 2 * SubBuckets + (shift - 1) * SubBuckets + (int)(micros >> shift) - SubBuckets;
    }

    private static long UpperEdgeOf(int bucket)
    {
        if (bucket < 2 * SubBuckets) return bucket;
        var shift = (bucket - 2 * SubBuckets) / SubBuckets + 1;
        var sub = (bucket - 2 * SubBuckets) % SubBuckets + SubBuckets;
        return ((long)(sub + 1) << shift) - 1;
    }
}
