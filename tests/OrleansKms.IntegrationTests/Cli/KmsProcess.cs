using System.Diagnostics;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>
/// The <c>kms</c> tool run as a user runs it: <c>dotnet kms.dll ARGS</c> in a process of its own, with an environment
/// of the test's choosing (no AWS_* variable of the test host's, and a HOME with no ~/.aws unless the test makes one).
/// </summary>
public static class KmsProcess
{
    private static readonly string KmsDll = Path.Combine(AppContext.BaseDirectory, "kms.dll");

    public static async Task<CommandRun> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(KmsDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(name);
        start.Environment["HOME"] = EmptyHome;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new CommandRun(process.ExitCode, await output, await error);
    }

    public static Task<CommandRun> RunAsync(params string[] args) => RunAsync(null, args);

    private static readonly string EmptyHome = Directory.CreateTempSubdirectory("kms-cli-home-").FullName;
}
