namespace OrleansKms.Hosting.Regions;

/// <summary>
/// What makes each Region its own failure domain in storage: its Orleans cluster and service ids, its tables (key
/// state, reminders, membership) and its root key. us-east-1 keeps the unsuffixed names the service used before it
/// served several Regions, so data stored then is found; every other Region's names end with the Region
/// (<c>orleans-kms-eu-west-1</c>, table <c>kmskeyseuwest1</c>, root key <c>root-eu-west-1.key</c>).
/// </summary>
public sealed record RegionNames(string Region, string ClusterId, string ServiceId, string KeyTable, string ReminderTable, string MembershipTable,
    string RootKeyVariable, string RootKeyFileName, string? RootKeyFile)
{
    internal const string MembershipTablePrefix = "OrleansSiloInstances";
    private const string ReminderTablePrefix = "OrleansReminders";
    private const string RegionPlaceholder = "{region}";

    public static RegionNames For(string region, KmsServerOptions options)
    {
        var unsuffixed = region == AwsRegions.Default;
        var dashed = unsuffixed ? "" : "-" + region;
        var compact = unsuffixed ? "" : AwsRegions.Compact(region);
        // A root key file names one Region's key unless its path has {region}; without it, it is us-east-1's.
        var rootKeyFile = options.RootKeyFile switch
        {
            null => null,
            { } f when f.Contains(RegionPlaceholder, StringComparison.Ordinal) => f.Replace(RegionPlaceholder, region, StringComparison.Ordinal),
            { } f when unsuffixed => f,
            _ => null,
        };
        return new RegionNames(
            region,
            options.ClusterId + dashed,
            options.ServiceId + dashed,
            KmsOptionsDefaults.TableName + compact,
            ReminderTablePrefix + compact,
            MembershipTablePrefix + compact,
            unsuffixed ? KmsOptionsDefaults.RootKeyVariable : KmsOptionsDefaults.RootKeyVariable + "_" + region.ToUpperInvariant().Replace('-', '_'),
            unsuffixed ? KmsOptionsDefaults.RootKeyFileName : $"root-{region}.key",
            rootKeyFile);
    }
}
