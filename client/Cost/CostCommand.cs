using System.Globalization;

namespace OrleansKms.Cli.Cost;

/// <summary>
/// <c>kms cost [--month yyyy-MM] [--by key|operation|principal] [--output text|json]</c>: the month's bill of the
/// caller's account. Exit codes: 0 done, 1 the service refused or could not be reached, 2 bad command line, 130 interrupted.
/// </summary>
internal static class CostCommand
{
    public const int Done = ServiceErrors.Done, Failed = ServiceErrors.Failed, BadUsage = ServiceErrors.BadUsage, Interrupted = ServiceErrors.Interrupted;

    public const string Usage = $"""
        Usage: kms cost [options]

        Prints the month's AWS KMS bill of the caller's account as this service meters it: key storage (key-months,
        prorated by the hour), the extra charge of rotated key material, requests by AWS price class, the free tier,
        and the total in USD. Before the month ends the bill is month-to-date.

        Options:
          --month yyyy-MM         the month (default this month, UTC)
          --by key|operation|principal
                                  add a breakdown of the bill by key, operation or principal
          --output text|json      a table (text; "table" also accepted), or the bill as JSON (default text)
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
        var line = CommandLine.Parse(args, ["--month", "--by"], [], out var problem);
        if (line is { Help: false }) problem = Check(line);
        if (line is null || line.Help || problem is not null) return Usages.Print(problem is null ? null : $"kms cost: {problem}", Usage, "kms cost", output, error);

        using var http = new HttpClient();
        return await ServiceErrors.RunAsync("kms cost", line.Connection.Endpoint, error, cancel, async () =>
        {
            var query = new CostQuery { Month = line.Value("--month"), Region = line.Connection.GivenRegion, By = line.Value("--by") };
            var bill = await new CostClient(http, line.Connection, time).BillAsync(query, cancel);
            output.Write(line.Json ? CostClient.Json(bill) + Environment.NewLine : CostClient.Table(bill));
            return Done;
        });
    }

    private static string? Check(CommandLine line)
    {
        if (line.Arguments.Count > 0) return $"unexpected argument '{line.Arguments[0]}'.";
        if (line.Value("--month") is { } month && !DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            return $"--month takes a month as yyyy-MM (for example 2026-11), not '{month}'.";
        if (line.Value("--by") is { } by && by is not ("key" or "operation" or "principal"))
            return $"--by takes key, operation or principal, not '{by}'.";
        return line.Connection.TryValidate(out var error) ? null : error;
    }
}
