using System.Globalization;

namespace OrleansKms.Cli.Audit;

/// <summary>
/// <c>kms audit [filters]</c> looks up the audit trail as CloudTrail's LookupEvents does (newest first);
/// <c>kms audit export --since T --until T [--out FILE]</c> writes every record of the range, oldest first, in
/// CloudTrail's log-file format (<c>{"Records": [...]}</c>) for existing log tools.
/// Exit codes: 0 done, 1 the service refused or could not be reached, 2 bad command line, 130 interrupted.
/// </summary>
internal static class AuditCommand
{
    public const int Done = ServiceErrors.Done, Failed = ServiceErrors.Failed, BadUsage = ServiceErrors.BadUsage, Interrupted = ServiceErrors.Interrupted;

    public const string Usage = $"""
        Usage: kms audit [options]
               kms audit export --since TIME --until TIME [--out FILE] [options]

        Looks up the audit trail of the caller's account in the Region of --region: every KMS request, allowed,
        refused or failed, as a CloudTrail event. 'export' writes the range's records oldest first in CloudTrail's
        log-file format (one JSON object whose "Records" is the array of events), to FILE or
        standard output.

        Filters:
          --key KEY               a key id or key ARN
          --principal P           a principal ARN, access key id or user name
          --event-name NAME       an operation (Encrypt, CreateKey, ...)
          --since TIME            ISO 8601 (default 90 days before --until)
          --until TIME            ISO 8601 (default now)
          --max N                 at most N records, newest first (default 50; lookup only)
          --output text|json      a table (text; "table" also accepted), or CloudTrail's JSON (default text; lookup
                                  only)
          --out FILE              export only: the file to write (default standard output)
        {ServiceConnection.Help}
          -h, --help              print this help

        The credentials must be an account root's; records of that account only are returned.
        Exit code: 0 done, 1 the service refused or could not be reached, 2 bad command line, 130 interrupted.
        """;

    public static Task<int> RunAsync(string[] args, CancellationToken cancel) =>
        RunAsync(args, Console.Out, Console.Error, TimeProvider.System, cancel);

    /// <summary>Runs <c>kms audit ARGS</c>, printing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancel)
    {
        var export = args.Length > 0 && args[0] == "export";
        var line = CommandLine.Parse(export ? args[1..] : args, ValueOptions, [], out var problem);
        if (line is { Help: false }) problem = Check(line, export);
        if (line is null || line.Help || problem is not null) return Usages.Print(problem is null ? null : $"kms audit: {problem}", Usage, "kms audit", output, error);

        using var http = new HttpClient();
        return await ServiceErrors.RunAsync("kms audit", line.Connection.Endpoint, error, cancel, async () =>
        {
            var records = await new AuditClient(http, line.Connection, time).LookupAsync(Lookup(line, export), cancel);
            if (!export) output.Write(line.Json ? AuditClient.LogFile(records) + Environment.NewLine : AuditClient.Table(records));
            else if (line.Value("--out") is { } path)
            {
                await File.WriteAllTextAsync(path, AuditClient.LogFile(records), cancel);
                output.WriteLine($"{records.Count} records written to {path}.");
            }
            else output.WriteLine(AuditClient.LogFile(records));

            return Done;
        });
    }

    private static readonly string[] ValueOptions = ["--key", "--principal", "--event-name", "--since", "--until", "--max", "--out"];

    private static AuditLookup Lookup(CommandLine line, bool export) => new()
    {
        Key = line.Value("--key"),
        Principal = line.Value("--principal"),
        EventName = line.Value("--event-name"),
        Since = line.Value("--since"),
        Until = line.Value("--until"),
        MaxResults = export ? null : line.Value("--max") is { } max ? int.Parse(max, CultureInfo.InvariantCulture) : null,
        Ascending = export ? true : null,
    };

    private static string? Check(CommandLine line, bool export)
    {
        if (line.Arguments.Count > 0) return $"unexpected argument '{line.Arguments[0]}'.";
        foreach (var name in new[] { "--since", "--until" })
        {
            if (line.Value(name) is { } t && !DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
                return $"{name} '{t}' is not an ISO 8601 time (for example 2026-12-01T06:00:00Z).";
        }

        if (line.Value("--max") is { } max && !(int.TryParse(max, CultureInfo.InvariantCulture, out var n) && n > 0))
            return $"--max takes a positive number, not '{max}'.";
        if (export && (line.Value("--since") is null || line.Value("--until") is null)) return "export needs --since and --until.";
        if (export && (line.Value("--max") is not null || line.Output is not null)) return "export writes every record in CloudTrail's format: --max and --output are for lookups.";
        if (!export && line.Value("--out") is not null) return "--out is for 'kms audit export'.";
        return line.Connection.TryValidate(out var error) ? null : error;
    }
}
