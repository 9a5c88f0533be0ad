namespace OrleansKms;

/// <summary>
/// The AWS Regions the service can serve: every public Region of the <c>aws</c>, <c>aws-cn</c> and <c>aws-us-gov</c>
/// partitions (as AWS lists them on 2026-12-01). A Region's partition is <see cref="KeyArn.PartitionOf"/>.
/// </summary>
public static class AwsRegions
{
    /// <summary>The Region whose storage names and root key are the service's unsuffixed defaults.</summary>
    public const string Default = "us-east-1";

    public static readonly IReadOnlyList<string> All =
    [
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
        "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
        "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ca-central-1", "ca-west-1",
        "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
        "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
        "cn-north-1", "cn-northwest-1",
        "us-gov-west-1", "us-gov-east-1",
    ];

    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    public static bool IsKnown(string? region) => region is not null && Known.Contains(region);

    /// <summary>Whether two Regions are in one partition (a multi-Region key replicates only within its partition).</summary>
    public static bool SamePartition(string a, string b) => KeyArn.PartitionOf(a) == KeyArn.PartitionOf(b);

    /// <summary>The Region's name with letters and digits only (<c>euwest1</c>), for storage table names.</summary>
    public static string Compact(string region) => string.Concat(region.Where(char.IsAsciiLetterOrDigit));

    /// <summary>
    /// Parses a comma-separated list of Regions (<c>all</c> for every Region); null with <paramref name="error"/>
    /// naming the first unknown one.
    /// </summary>
    public static IReadOnlyList<string>? ParseList(string text, out string? error)
    {
        error = null;
        if (text.Trim() == "all") return All;
        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (list.Count == 0)
        {
            error = "The list of Regions is empty.";
            return null;
        }

        if (list.FirstOrDefault(r => !IsKnown(r)) is { } unknown)
        {
            error = $"'{unknown}' is not an AWS Region this service knows (for example us-east-1, eu-west-1, cn-north-1, us-gov-west-1).";
            return null;
        }

        return list;
    }
}
