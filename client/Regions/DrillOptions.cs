using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using OrleansKms.Cli.Bench;

namespace OrleansKms.Cli.Regions;

/// <summary>The options of <c>kms drill failover</c>; <see cref="TryParse"/> reads them from the command line.</summary>
internal sealed class DrillOptions
{
    public const string Usage = """
        Usage: kms drill failover --primary REGION --replica REGION [options]
          A failover drill against a service started with --dev-admin. It creates a multi-Region key in the primary
          Region and replicates it, then for --duration keeps both Regions under load (primary: Encrypt, Decrypt;
          replica: Decrypt of ciphertext made in the primary, Encrypt, GenerateDataKey) while it
            - measures replication lag: EnableKeyRotation with a new RotationPeriodInDays in the primary, until the
              replica's GetKeyRotationStatus reports it (repeated whenever the primary is up);
            - at 1/3 of the time stops the primary Region (its requests get no answer) and measures when the replica
              served; at 2/3 starts it again;
            - then stops the replica, changes the rotation period in the primary (queued in the primary's outbox),
              starts the replica and measures when the queued change arrives;
          and at the end moves the primary to the replica Region (UpdatePrimaryRegion) and measures when the replica
          reports itself PRIMARY. The key is left in place. Regions the drill stopped are started again, also when
          it fails or is interrupted (Ctrl-C).

          --primary REGION        the Region of the primary key, the one taken down (required)
          --replica REGION        the Region of the replica key, which must keep serving (required)
          --duration TIME         how long the load runs, e.g. 60s, 2m (default 60s, at least 3s)
          --concurrency N         load workers per Region (default 4)
          --wait TIME             the longest wait for each replication to show: the replica Enabled, each lag
                                  probe, the queued change, the primary move (default 30s)
          --output text|json      the report as text or as JSON (default text; text also prints progress)
          --endpoint-url URL      the service (default $AWS_ENDPOINT_URL_KMS, $AWS_ENDPOINT_URL, the profile's
                                  endpoint_url, else http://127.0.0.1:4566)
          --endpoint URL          the same as --endpoint-url
          --profile NAME          a profile of ~/.aws/credentials and ~/.aws/config (default $AWS_PROFILE)
          --access-key KEY        an account root's access key id (default $AWS_ACCESS_KEY_ID, else test)
          --secret-key SECRET     its secret access key (default $AWS_SECRET_ACCESS_KEY, else test)
          -h, --help              print this help

        Every request is signed for the Region it is about; the admin requests that stop and start a Region are
        signed for the other one.

        Exit code: 0 when the drill's expectations held (the replica served during the primary's outage with no
        failures, the queued change arrived, the primary moved), 1 when one did not or a step failed (the reason is
        on stderr), 2 for a bad command line, 130 when interrupted.
        """;

    public string Primary { get; private set; } = "";

    public string Replica { get; private set; } = "";

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(60);

    public int Concurrency { get; private set; } = 4;

    public TimeSpan Wait { get; private set; } = TimeSpan.FromSeconds(30);

    public bool Json { get; private set; }

    public ServiceConnection Connection { get; } = new();

    /// <summary>Parses <paramref name="args"/>; false with a null error means help was asked for.</summary>
    public static bool TryParse(string[] args, [NotNullWhen(true)] out DrillOptions? options, out string? error)
    {
        var o = new DrillOptions();
        options = null;
        error = null;
        for (var i = 0; i < args.Length && error is null; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") return false;
            if (!IsKnown(name)) error = name.StartsWith('-') ? $"unknown option {name}." : $"unexpected argument '{name}'.";
            else if (i + 1 >= args.Length) error = $"{name} needs a value.";
            else error = o.Apply(name, args[++i]);
        }

        error ??= o.Check();
        if (error is not null) return false;
        options = o;
        return true;
    }

    // --region is not taken: each request is signed for the Region it is about.
    private static bool IsKnown(string name) => name is "--primary" or "--replica" or "--duration" or "--concurrency"
        or "--wait" or "--output" or "--endpoint-url" or "--endpoint" or "--access-key" or "--secret-key" or "--profile";

    private string? Apply(string name, string value)
    {
        switch (name)
        {
            case "--primary": Primary = value; return null;
            case "--replica": Replica = value; return null;
            case "--duration": return Time(name, value, TimeSpan.FromSeconds(3), v => Duration = v);
            case "--wait": return Time(name, value, TimeSpan.FromSeconds(1), v => Wait = v);
            case "--concurrency" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 256:
                Concurrency = n;
                return null;
            case "--concurrency": return $"--concurrency takes a whole number from 1 to 256, not '{value}'.";
            case "--output" when value is "text" or "json": Json = value == "json"; return null;
            case "--output": return $"--output takes text or json, not '{value}'.";
            default: Connection.Set(name, value); return null;
        }
    }

    private static string? Time(string name, string value, TimeSpan least, Action<TimeSpan> set)
    {
        if (BenchOptions.TryParseTime(value, out var time) && time >= least && time <= TimeSpan.FromHours(1))
        {
            set(time);
            return null;
        }

        return $"{name} takes a time from {least.TotalSeconds:0}s to 1h such as 60s, 500ms or 2m, not '{value}'.";
    }

    private string? Check()
    {
        if (Primary.Length == 0) return "--primary REGION is required.";
        if (Replica.Length == 0) return "--replica REGION is required.";
        if (!LooksLikeRegion(Primary)) return $"--primary '{Primary}' is not a Region name such as us-east-1.";
        if (!LooksLikeRegion(Replica)) return $"--replica '{Replica}' is not a Region name such as eu-west-1.";
        if (Primary == Replica) return $"--primary and --replica must be different Regions; both are {Primary}.";
        return Connection.TryValidate(out var error) ? null : error;
    }

    private static bool LooksLikeRegion(string name) => System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z]{2}(-[a-z]+)+-[0-9]+$");
}
