using System.Text.Json;

namespace OrleansKms.Cli;

/// <summary>How every command answers <c>--help</c> (the usage on standard output, exit 0) and a wrong command line (the
/// problem and a pointer to <c>--help</c> on standard error, exit 2).</summary>
internal static class Usages
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Print(string? problem, string usage, string command, TextWriter output, TextWriter error)
    {
        if (problem is null)
        {
            output.WriteLine(usage);
            return ServiceErrors.Done;
        }

        error.WriteLine(problem);
        error.WriteLine($"Run '{command} --help' for usage.");
        return ServiceErrors.BadUsage;
    }
}
