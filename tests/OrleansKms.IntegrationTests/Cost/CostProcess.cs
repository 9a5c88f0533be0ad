using System.Diagnostics;

namespace OrleansKms.IntegrationTests.Cost;

/// <summary>Runs the <c>kms</c> tool built beside the tests as its own process, as a user does.</summary>
internal static class CostProcess
{
    internal sealed record Run(int Code, string Output, string Error);

    public static async Task<Run> KmsAsync(Uri endpoint, string accessKey, string secret, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "kms"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var arg in new[] { "--endpoint-url", endpoint.ToString(), "--access-key", accessKey, "--secret-key", secret }) start.ArgumentList.Add(arg);
        start.Environment.Remove("AWS_REGION");
        start.Environment.Remove("AWS_DEFAULT_REGION");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kms did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Run(process.ExitCode, await output, await error);
    }
}
