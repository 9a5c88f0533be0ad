using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace OrleansKms.Hosting.Azurite;

/// <summary>
/// Finds the Azurite executable: <c>KMS_AZURITE_BIN</c> if set, else <c>node_modules/.bin/azurite</c> of the
/// repository (found by walking up from the working directory and from the program's directory to the
/// <c>package.json</c> that pins it). If the repository has not installed it yet, runs <c>npm ci</c> there once.
/// </summary>
public static class AzuriteInstaller
{
    private static readonly Lock InstallLock = new();

    public static string FindOrInstall(ILogger logger)
    {
        var configured = Environment.GetEnvironmentVariable("KMS_AZURITE_BIN");
        if (!string.IsNullOrEmpty(configured)) return configured;
        var root = FindRepositoryRoot() ?? throw new InvalidOperationException(
            "Azurite not found: no package.json pinning azurite above the working directory. Run from the repository, " +
            "set KMS_AZURITE_BIN, or give an Azure Storage connection string.");
        var bin = Path.Combine(root, "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite");
        lock (InstallLock)
        {
            if (File.Exists(bin)) return bin;
            logger.LogWarning("Installing Azurite with npm in {Root} (first run, about a minute)...", root);
            var npm = new ProcessStartInfo("npm") { WorkingDirectory = root, UseShellExecute = false };
            npm.ArgumentList.Add(File.Exists(Path.Combine(root, "package-lock.json")) ? "ci" : "install");
            npm.ArgumentList.Add("--no-audit");
            npm.ArgumentList.Add("--no-fund");
            using var process = Process.Start(npm) ?? throw new InvalidOperationException("Could not run npm: is Node.js installed?");
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(bin))
                throw new InvalidOperationException($"npm could not install Azurite in {root} (exit code {process.ExitCode}).");
            return bin;
        }
    }

    private static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var package = Path.Combine(dir.FullName, "package.json");
                if (File.Exists(package) && File.ReadAllText(package).Contains("\"azurite\"", StringComparison.Ordinal)) return dir.FullName;
            }
        }

        return null;
    }
}
