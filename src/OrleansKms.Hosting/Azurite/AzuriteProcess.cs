using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace OrleansKms.Hosting.Azurite;

/// <summary>
/// Azurite (the Azure Storage emulator, npm package <c>azurite</c>) started by the project itself: installed from the
/// repository's pinned <c>package.json</c> on first use, run on free loopback ports with its data in a directory of
/// ours, stopped gracefully (SIGTERM, so it saves its database) on disposal.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly Process _process;
    private readonly string _pidFile;
    private readonly ILogger _logger;

    private AzuriteProcess(Process process, string pidFile, int blobPort, int queuePort, int tablePort, ILogger logger)
    {
        _process = process;
        _pidFile = pidFile;
        _logger = logger;
        BlobPort = blobPort;
        TablePort = tablePort;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
    }

    /// <summary>The connection string of this Azurite, for the Azure SDK clients.</summary>
    public string ConnectionString { get; }

    public int BlobPort { get; }

    public int TablePort { get; }

    /// <summary>Starts Azurite with its data under <paramref name="dataDirectory"/>; waits until it accepts connections.</summary>
    public static async Task<AzuriteProcess> StartAsync(string dataDirectory, ILogger logger, CancellationToken cancel = default)
    {
        var executable = AzuriteInstaller.FindOrInstall(logger);
        Directory.CreateDirectory(dataDirectory);
        var pidFile = Path.Combine(dataDirectory, "azurite.pid");
        await StopLeftoverAsync(pidFile, logger);
        var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--silent", "--disableTelemetry", "--location", dataDirectory, "--skipApiVersionCheck", "--disableProductStyleUrl",
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(),
            "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(),
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) logger.LogDebug("azurite: {Line}", e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) logger.LogInformation("azurite: {Line}", e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await File.WriteAllTextAsync(pidFile, process.Id.ToString(), cancel);
        var azurite = new AzuriteProcess(process, pidFile, blob, queue, table, logger);
        try
        {
            await WaitForPortAsync(process, blob, cancel);
            await WaitForPortAsync(process, table, cancel);
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }

        logger.LogInformation("Azurite started (pid {Pid}), data in {Directory}, table port {TablePort}", process.Id, dataDirectory, table);
        return azurite;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_process, _logger);
        _process.Dispose();
        try { File.Delete(_pidFile); } catch (IOException) { }
    }

    private static async Task StopAsync(Process process, ILogger logger)
    {
        if (process.HasExited) return;
        if (!OperatingSystem.IsWindows()) _ = Kill(process.Id, Sigterm);
        else process.Kill(entireProcessTree: true);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Azurite did not stop within 10 s of SIGTERM; killing it.");
            process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>An Azurite left running on this data directory by a process that was killed: stop it before reusing its data.</summary>
    private static async Task StopLeftoverAsync(string pidFile, ILogger logger)
    {
        if (!File.Exists(pidFile) || !int.TryParse(await File.ReadAllTextAsync(pidFile), out var pid)) return;
        try
        {
            using var leftover = Process.GetProcessById(pid);
            if (!leftover.ProcessName.Contains("node", StringComparison.OrdinalIgnoreCase)
                && !leftover.ProcessName.Contains("azurite", StringComparison.OrdinalIgnoreCase)) return;
            logger.LogWarning("Stopping Azurite (pid {Pid}) left running on this data directory.", pid);
            await StopAsync(leftover, logger);
        }
        catch (ArgumentException)
        {
            // Not running any more.
        }
    }

    private static async Task WaitForPortAsync(Process process, int port, CancellationToken cancel)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} while starting.");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancel);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancel);
            }
        }
    }

    /// <summary>A port that is free now on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
