using System.Text.Json;

namespace OrleansKms.Cli.Regions;

/// <summary>
/// <c>kms region status</c>, <c>kms region stop REGION</c>, <c>kms region start REGION</c>: the Regions of a service
/// started with <c>--dev-admin</c>, stopped and started as an outage would, for failover drills.
/// Exit codes: 0 done, 1 the service refused or could not be reached, 2 bad command line, 130 interrupted.
/// </summary>
internal static class RegionCommand
{
    public const int Done = 0, Failed = 1, BadUsage = 2, Interrupted = 130;

    private const int IdleLineWidth = 100;

    public const string Usage = $"""
        Usage: kms region SUBCOMMAND [REGION] [options]

        Subcommands:
          status                  every Region the service serves and its state: running, stopped, or idle
                                  (served, not started yet: a Region starts on its first request)
          stop REGION             stop a Region as an outage would: requests signed for it get no answer (the
                                  connection is closed) until it is started again
          start REGION            start a stopped (or idle) Region

        Options:
          --output text|json      a table, or the service's JSON answer (default text)
        {ServiceConnection.Help}
          -h, --help              print this help

        The service must run with --dev-admin; the credentials must be an account root's. A request about REGION is
        signed for another Region (--region, else us-east-1, us-west-2 or eu-west-1), since requests signed for a
        stopped Region get no answer.

        Exit code: 0 done, 1 the service refused or could not be reached, 2 bad command line, 130 interrupted.
        """;

    public static Task<int> RunAsync(string[] args, CancellationToken cancel) =>
        RunAsync(args, Console.Out, Console.Error, TimeProvider.System, cancel);

    /// <summary>Runs <c>kms region ARGS</c>, printing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancel)
    {
        if (!TryParse(args, out var command, out var problem))
        {
            if (problem is null)
            {
                output.WriteLine(Usage);
                return Done;
            }

            error.WriteLine($"kms region: {problem}");
            error.WriteLine("Run 'kms region --help' for usage.");
            return BadUsage;
        }

        using var http = new HttpClient();
        var admin = new RegionAdmin(http, command.Connection, time);
        try
        {
            var states = command.Subcommand switch
            {
                "stop" => await admin.StopAsync(command.Region!, cancel),
                "start" => await admin.StartAsync(command.Region!, cancel),
                _ => await admin.StatusAsync(cancel),
            };
            if (command.Json) output.WriteLine(JsonSerializer.Serialize(states, RegionJsonContext.Default.RegionStates));
            else WriteText(output, command, states);
            return Done;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            error.WriteLine($"kms region {command.Subcommand}: interrupted.");
            return Interrupted;
        }
        catch (RegionAdminException e)
        {
            error.WriteLine($"kms region {command.Subcommand}: {e.Message}");
            return Failed;
        }
    }

    /// <summary>A line saying what changed, then each Region that is not idle, then the idle ones on one line.</summary>
    public static void WriteText(TextWriter output, string? done, IReadOnlyList<RegionState> regions)
    {
        if (done is not null) output.WriteLine(done + Environment.NewLine);
        output.WriteLine($"{"REGION",-18}STATE");
        foreach (var r in regions.Where(r => r.State != "idle")) output.WriteLine($"{r.Region,-18}{r.State}");
        var idle = regions.Where(r => r.State == "idle").Select(r => r.Region).ToList();
        if (idle.Count == 0) return;
        output.WriteLine("idle (served, not started yet):");
        var line = new System.Text.StringBuilder(" ");
        foreach (var region in idle)
        {
            if (line.Length + region.Length + 2 > IdleLineWidth)
            {
                output.WriteLine(line.ToString());
                line.Clear().Append(' ');
            }

            line.Append(' ').Append(region).Append(region == idle[^1] ? "" : ",");
        }

        output.WriteLine(line.ToString());
    }

    private static void WriteText(TextWriter output, RegionCommandLine command, RegionStates states) =>
        WriteText(output, command.Subcommand switch
        {
            "stop" => $"Stopped {command.Region}: requests signed for it now get no answer (the connection is closed).",
            "start" => $"Started {command.Region}.",
            _ => null,
        }, states.Regions);

    private sealed record RegionCommandLine(string Subcommand, string? Region, bool Json, ServiceConnection Connection);

    private static bool TryParse(string[] args, out RegionCommandLine command, out string? error)
    {
        command = null!;
        error = null;
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            if (args.Length == 0) error = "a subcommand is required: status, stop REGION or start REGION.";
            return false;
        }

        var subcommand = args[0];
        if (subcommand is not ("status" or "stop" or "start"))
        {
            error = $"unknown subcommand '{subcommand}'; the subcommands are status, stop REGION and start REGION.";
            return false;
        }

        return TryParseRest(subcommand, args[1..], out command, out error);
    }

    private static bool TryParseRest(string subcommand, string[] args, out RegionCommandLine command, out string? error)
    {
        command = null!;
        error = null;
        var connection = new ServiceConnection();
        string? region = null;
        var json = false;
        for (var i = 0; i < args.Length && error is null; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") return false;
            if (!name.StartsWith('-'))
            {
                if (subcommand == "status" || region is not null) error = $"unexpected argument '{name}'.";
                region = name;
            }
            else if (name != "--output" && !ServiceConnection.IsOption(name)) error = $"unknown option {name}.";
            else if (i + 1 >= args.Length) error = $"{name} needs a value.";
            else if (name != "--output") connection.Set(name, args[++i]);
            else if (args[++i] is "text" or "json") json = args[i] == "json";
            else error = $"--output takes text or json, not '{args[i]}'.";
        }

        if (error is null && subcommand != "status" && region is null) error = $"{subcommand} needs the REGION to {subcommand}.";
        if (error is not null || !connection.TryValidate(out error)) return false;
        command = new RegionCommandLine(subcommand, region, json, connection);
        return true;
    }
}
