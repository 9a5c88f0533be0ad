using System.Globalization;

namespace OrleansKms.Cli.Cost;

/// <summary>
/// <c>kms cost [--month yyyy-MM] [--by key|operation|principal] [--output table|json]</c>: the month's bill of the
/// caller's account. Exit codes: 0 done, 1 the service refused or could not be reached, 2 bad command line, 130 interrupted.
/// </summary>
internal static class CostCommand
{
    public const int Done = 0, Failed = 1, BadUsage = 2, Interrupted = 130;

    public const string Usage = $"""
        Usage: kms cost [options]

        Prints the month's AWS KMS bill of the caller's account as this service meters it: key storage (key-months,
        prorated by the hour), the extra charge of rotated key material, requests by AWS price class, the free tier,
        and the total in USD. Before the month ends the bill is month-to-date.

        Options:
          --month yyyy-MM         the month (default this month, UTC)
          --by key|operation|principal
                                  add a breakdown of the bill by key, operation or principal
          --output table|json     a table, or the bill as JSON (default table)
          --region NAME           only this Region's lines (default every Region); also the signing region
        {ServiceConnection.Help}
          -h, --help              print this help

        The credentials must be an account root's; the bill of that account only is returned.
        Exit code: 0 done, 1 the service refused or could not be reached, 2 bad command line, 130 interrupted.
        """;

    public static Task<int> RunAsync(string[] args, CancellationToken cancel) =>
        RunAsync(args, Console.Out, Console.Error, TimeProvider.System, cancel);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancel)
    {
        if (!TryParse(args, out var line, out var problem))
        {
            if (problem is null)
            {
                output.WriteLine(Usage);
                return Done;
            }

            error.WriteLine($"kms cost: {problem}");
            error.WriteLine("Run 'kms cost --help' for usage.");
            return BadUsage;
        }

        using var http = new HttpClient();
        try
        {
            var bill = await new CostClient(http, line.Connection, time).BillAsync(line.Query, cancel);
            output.Write(line.Json ? CostClient.Json(bill) + Environment.NewLine : CostClient.Table(bill));
            return Done;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            error.WriteLine("kms cost: interrupted.");
            return Interrupted;
        }
        catch (CostException e)
        {
            error.WriteLine($"kms cost: {e.Message}");
            return Failed;
        }
    }

    private sealed record CostCommandLine(CostQuery Query, bool Json, ServiceConnection Connection);

    private static readonly string[] ValueOptions = ["--month", "--by", "--output"];

    private static bool TryParse(string[] args, out CostCommandLine line, out string? error)
    {
        line = null!;
        error = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var connection = new ServiceConnection();
        string? region = null;
        for (var i = 0; i < args.Length && error is null; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") return false;
            if (!ValueOptions.Contains(name) && !ServiceConnection.IsOption(name)) error = name.StartsWith('-') ? $"unknown option {name}." : $"unexpected argument '{name}'.";
            else if (i + 1 >= args.Length) error = $"{name} needs a value.";
            else if (ServiceConnection.IsOption(name))
            {
                if (name == "--region") region = args[i + 1];
                connection.Set(name, args[++i]);
            }
            else values[name] = args[++i];
        }

        if (error is null && values.TryGetValue("--month", out var month) && !DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            error = $"--month takes a month as yyyy-MM (for example 2026-11), not '{month}'.";
        if (error is null && values.TryGetValue("--by", out var by) && by is not ("key" or "operation" or "principal"))
            error = $"--by takes key, operation or principal, not '{by}'.";
        if (error is null && values.TryGetValue("--output", out var output) && output is not ("table" or "json"))
            error = $"--output takes table or json, not '{output}'.";
        if (error is not null || !connection.TryValidate(out error)) return false;
        line = new CostCommandLine(new CostQuery { Month = values.GetValueOrDefault("--month"), Region = region, By = values.GetValueOrDefault("--by") },
            values.GetValueOrDefault("--output") == "json", connection);
        return true;
    }
}
