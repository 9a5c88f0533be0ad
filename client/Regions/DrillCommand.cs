namespace OrleansKms.Cli.Regions;

/// <summary>
/// <c>kms drill failover</c>: a failover drill against a service started with <c>--dev-admin</c> (see
/// <see cref="DrillOptions.Usage"/> and docs/failover-drill.md), and its report.
/// Exit codes: 0 the drill's expectations held, 1 one did not or a step failed, 2 bad command line, 130 interrupted.
/// </summary>
internal static class DrillCommand
{
    public const int Passed = 0, Failed = 1, BadUsage = 2, Interrupted = 130;

    public const string Usage = """
        Usage: kms drill SUBCOMMAND [options]

        Subcommands:
          failover   take a multi-Region key's primary Region down under load, and report what clients saw in each
                     Region, the replication lag, a change queued while the replica was down, and the primary's move

        Run 'kms drill failover --help' for its options.
        """;

    public static Task<int> RunAsync(string[] args, CancellationToken cancel) =>
        RunAsync(args, Console.Out, Console.Error, TimeProvider.System, cancel);

    /// <summary>Runs <c>kms drill ARGS</c>, printing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancel)
    {
        if (args.Length > 0 && args[0] == "failover") return await FailoverAsync(args[1..], output, error, time, cancel);
        var help = args.Length > 0 && args[0] is "-h" or "--help" or "help";
        if (!help) error.WriteLine(args.Length == 0 ? "kms drill: a subcommand is required." : $"kms drill: unknown subcommand '{args[0]}'.");
        (help ? output : error).WriteLine(Usage);
        return help ? Passed : BadUsage;
    }

    private static async Task<int> FailoverAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancel)
    {
        if (!DrillOptions.TryParse(args, out var options, out var problem))
        {
            if (problem is null)
            {
                output.WriteLine(DrillOptions.Usage);
                return Passed;
            }

            error.WriteLine($"kms drill failover: {problem}");
            error.WriteLine("Run 'kms drill failover --help' for usage.");
            return BadUsage;
        }

        DrillResults results;
        try
        {
            results = await new DrillScenario(options, options.Json ? null : output, error, time).RunAsync(cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            error.WriteLine("kms drill failover: interrupted.");
            return Interrupted;
        }
        catch (DrillException e)
        {
            error.WriteLine($"kms drill failover: {e.Message}");
            return Failed;
        }

        if (options.Json) DrillReport.WriteJson(output, results);
        else DrillReport.WriteText(output, results);
        foreach (var e in results.Expectations.Where(e => !e.Held))
            error.WriteLine($"kms drill failover: expectation not met: {e.Name} ({e.Detail})");
        return results.Passed ? Passed : Failed;
    }
}
