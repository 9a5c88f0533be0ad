using System.Diagnostics;

namespace OrleansKms.IntegrationTests.Encryption;

/// <summary>The exit code and output of one tool run as a separate process.</summary>
public sealed record ToolRun(int Code, byte[] Output, string Error)
{
    public string OutputText => System.Text.Encoding.UTF8.GetString(Output);
}

/// <summary>
/// Runs the <c>kms</c> tool (kms.dll, built beside the tests) and <c>node</c> as users do: a process with arguments,
/// optional standard input, and standard output and error captured. A process that does not end in time is killed.
/// </summary>
public static class ToolProcess
{
    /// <summary>The repository root (where OrleansKms.sln is): the node script and node_modules live there.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static Task<ToolRun> KmsAsync(byte[]? input, params string[] args) =>
        RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "kms.dll"), .. args], input);

    public static Task<ToolRun> NodeAsync(params string[] args) => RunAsync("node", args, null);

    public static async Task<ToolRun> RunAsync(string program, string[] args, byte[]? input, int timeoutSeconds = 60)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // The tool's defaults come from the environment; the tests pass everything explicitly.
        foreach (var name in new[] { "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY" })
            start.Environment.Remove(name);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        var output = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(output, timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        if (input is not null) await process.StandardInput.BaseStream.WriteAsync(input, timeout.Token);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await reading;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not end within {timeoutSeconds} s.");
        }

        return new ToolRun(process.ExitCode, output.ToArray(), await error);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansKms.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException($"No OrleansKms.sln above {AppContext.BaseDirectory}.");
    }
}
