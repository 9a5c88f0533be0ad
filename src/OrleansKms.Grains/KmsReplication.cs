using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansKms.Grains;

/// <summary>Replication's metrics: the lag from a primary's change to its arrival in a replica Region.</summary>
public static class KmsReplication
{
    public static readonly Meter Meter = new("OrleansKms.Replication");
    private static readonly Histogram<double> Lag = Meter.CreateHistogram<double>("kms.replication.lag", "ms",
        "Time from a change of a multi-Region key's shared properties in its primary Region to its arrival in a replica Region");

    public static void RecordLag(TimeSpan lag, string sourceRegion, string targetRegion) =>
        Lag.Record(Math.Max(0, lag.TotalMilliseconds), new TagList { { "source", sourceRegion }, { "target", targetRegion } });
}
