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
    public const int Done = 0, Failed = 1, BadUsage = 2, Interrupted = 130;

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
        if (!TryParse(args, out var line, out var problem))
        {
            if (problem is null)
            {
                output.WriteLine(Usage);
                return Done;
            }

            error.WriteLine($"kms audit: {problem}");
            error.WriteLine("Run 'kms audit --help' for usage.");
            return BadUsage;
        }

        using var http = new HttpClient();
        var client = new AuditClient(http, line.Connection, time);
        try
        {
            var records = await client.LookupAsync(line.Lookup, cancel);
            if (line.Export)
            {
                var file = AuditClient.LogFile(records);
                if (line.OutFile is { } path)
                {
                    await File.WriteAllTextAsync(path, file, cancel);
                    output.WriteLine($"{records.Count} records written to {path}.");
                }
                else output.WriteLine(file);
            }
            else output.Write(line.Json ? AuditClient.LogFile(records) + Environment.NewLine : AuditClient.Table(records));

            return Done;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            error.WriteLine("kms audit: interrupted.");
            return Interrupted;
        }
        catch (AuditException e)
        {
            error.WriteLine($"kms audit: {e.Message}");
            return Failed;
        }
    }

    private sealed record AuditCommandLine(AuditLookup Lookup, bool Export, bool Json, string? OutFile, ServiceConnection Connection);

    private static readonly string[] ValueOptions = ["--key", "--principal", "--event-name", "--since", "--until", "--max", "--output", "--out"];

    private static bool TryParse(string[] args, out AuditCommandLine line, out string? error)
    {
        line = null!;
        error = null;
        var export = args.Length > 0 && args[0] == "export";
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var connection = new ServiceConnection();
        for (var i = export ? 1 : 0; i < args.Length && error is null; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") return false;
            if (!ValueOptions.Contains(name) && !ServiceConnection.IsOption(name)) error = name.StartsWith('-') ? $"unknown option {name}." : $"unexpected argument '{name}'.";
            else if (i + 1 >= args.Length) error = $"{name} needs a value.";
            else if (ServiceConnection.IsOption(name)) connection.Set(name, args[++i]);
            else values[name] = args[++i];
        }

        error ??= Check(values, export);
        if (error is not null || !connection.TryValidate(out error)) return false;
        line = new AuditCommandLine(new AuditLookup
        {
            Key = values.GetValueOrDefault("--key"),
            Principal = values.GetValueOrDefault("--principal"),
            EventName = values.GetValueOrDefault("--event-name"),
            Since = values.GetValueOrDefault("--since"),
            Until = values.GetValueOrDefault("--until"),
            MaxResults = export ? null : values.TryGetValue("--max", out var max) ? int.Parse(max, CultureInfo.InvariantCulture) : null,
            Ascending = export ? true : null,
        }, export, values.GetValueOrDefault("--output") == "json", values.GetValueOrDefault("--out"), connection);
        return true;
    }

    private static string? Check(Dictionary<string, string> values, bool export)
    {
        foreach (var name in new[] { "--since", "--until" })
        {
            if (values.TryGetValue(name, out var t) && !DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
                return $"{name} '{t}' is not an ISO 8601 time (for example 2026-12-01T06:00:00Z).";
        }

        if (values.TryGetValue("--max", out var max) && !(int.TryParse(max, CultureInfo.InvariantCulture, out var n) && n > 0))
            return $"--max takes a positive number, not '{max}'.";
        if (values.TryGetValue("--output", out var output) && output is not ("table" or "text" or "json"))
            return $"--output takes text (or table) or json, not '{output}'.";
        if (export && (!values.ContainsKey("--since") || !values.ContainsKey("--until"))) return "export needs --since and --until.";
        if (export && (values.ContainsKey("--max") || values.ContainsKey("--output"))) return "export writes every record in CloudTrail's format: --max and --output are for lookups.";
        if (!export && values.ContainsKey("--out")) return "--out is for 'kms audit export'.";
        return null;
    }
}
