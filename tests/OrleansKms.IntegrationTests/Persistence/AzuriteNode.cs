using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansKms.Hosting.Azurite;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>Runs a test script in Node as the service starts Azurite: Azurite's own script as <c>process.argv[1]</c>, and the service's preload script loaded first.</summary>
internal static class AzuriteNode
{
    /// <summary>
    /// Writes the preload script into <paramref name="directory"/>, then runs <paramref name="script"/> after it (in scope:
    /// <c>path</c>, and <c>Loki</c>, Azurite's own lokijs) and returns what it printed; a non-zero exit fails the test
    /// with what it printed on stderr.
    /// </summary>
    public static async Task<string> RunAsync(string directory, string script, int heapMb = 0)
    {
        var preload = AzuriteProcess.WritePreloadScript(directory);
        var azurite = AzuriteInstaller.FindOrInstall(NullLogger.Instance);
        var azuriteScript = new FileInfo(azurite).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? azurite;
        var test = Path.Combine(directory, "azurite-node-test.js");
        await File.WriteAllTextAsync(test, $"""
            process.argv[1] = {JsonSerializer.Serialize(azuriteScript)};
            require({JsonSerializer.Serialize(preload)});
            const path = require('path');
            const Loki = require(require.resolve('lokijs', {"{"} paths: [path.dirname(process.argv[1])] {"}"}));

            """ + script);
        // stdin redirected and left open: the preload stops Node when its stdin ends.
        var start = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        if (heapMb > 0) start.ArgumentList.Add($"--max-old-space-size={heapMb}");
        start.ArgumentList.Add(test);
        using var node = Process.Start(start)!;
        var cancel = TestContext.Current.CancellationToken;
        var output = node.StandardOutput.ReadToEndAsync(cancel);
        var errors = node.StandardError.ReadToEndAsync(cancel);
        await node.WaitForExitAsync(cancel).WaitAsync(TimeSpan.FromSeconds(120), cancel);
        Assert.True(node.ExitCode == 0, await errors);
        return await output;
    }
}
