using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace OrleansKms.Hosting.Azurite;

/// <summary>
/// Azurite (the Azure Storage emulator, npm package <c>azurite</c>) started by the project itself: installed from the
/// repository's pinned <c>package.json</c> on first use, listening on loopback ports it picks itself (port 0, read back
/// from what it prints, so no other process can take them in between), with its data in a directory of ours.
/// <para>
/// It runs in a session of its own (<c>setsid</c>), so the Ctrl-C or SIGTERM that a terminal or a supervisor sends to
/// the service's process group does not reach it: the silo stops first, then stops Azurite (SIGTERM, on which Azurite
/// saves its tables). If the service dies without stopping it (kill -9), Azurite notices that its stdin closed and
/// stops itself the same way, so no orphan is left running.
/// </para>
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    /// <summary>The well-known development account key of Azurite (public, not a secret).</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>Azurite's table database (LokiJS), saved every 5 seconds or more (paced by its cost) and when it stops.</summary>
    public const string TableDatabaseFile = "__azurite_db_table__.json";

    // Long enough for the last save of a large table database (about 20 s at a million keys).
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan AfterTablesClosed = TimeSpan.FromSeconds(1);
    private readonly Process _process;
    private readonly string _pidFile;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _tableClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Dictionary<string, int>> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, int> _ports = [];
    private int _stopped;

    private AzuriteProcess(Process process, string pidFile, string dataDirectory, ILogger logger)
    {
        _process = process;
        _pidFile = pidFile;
        _logger = logger;
        DataDirectory = dataDirectory;
    }

    /// <summary>The connection string of this Azurite, for the Azure SDK clients.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{_ports["Queue"]}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public int BlobPort => _ports["Blob"];

    public int TablePort => _ports["Table"];

    /// <summary>The operating-system process id (what a power-cut test kills).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Where Azurite keeps its data.</summary>
    public string DataDirectory { get; }

    /// <summary>The file Azurite saves its tables to.</summary>
    public string TableDatabasePath => Path.Combine(DataDirectory, TableDatabaseFile);

    /// <summary>Starts Azurite with its data under <paramref name="dataDirectory"/>; waits until all its services listen.</summary>
    public static async Task<AzuriteProcess> StartAsync(string dataDirectory, ILogger logger, CancellationToken cancel = default)
    {
        var executable = AzuriteInstaller.FindOrInstall(logger);
        Directory.CreateDirectory(dataDirectory);
        var pidFile = Path.Combine(dataDirectory, "azurite.pid");
        await StopLeftoverAsync(pidFile, logger);
        var start = StartInfo(executable, dataDirectory);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var azurite = new AzuriteProcess(process, pidFile, dataDirectory, logger);
        process.OutputDataReceived += (_, e) => azurite.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) logger.LogWarning("azurite: {Line}", e.Data); };
        process.Exited += (_, _) => azurite._listening.TrySetException(new InvalidOperationException($"Azurite exited with code {process.ExitCode} while starting."));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await File.WriteAllTextAsync(pidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), cancel);
        try
        {
            await azurite._listening.Task.WaitAsync(TimeSpan.FromSeconds(60), cancel);
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }

        logger.LogInformation("Azurite started (pid {Pid}), data in {Directory}, table port {TablePort}", process.Id, dataDirectory, azurite.TablePort);
        return azurite;
    }

    /// <summary>
    /// Stops Azurite with SIGTERM; true when its table service closed cleanly (it saved its tables), false when it
    /// did not within the stop timeout or had already gone. Once the tables are closed, what is left (its blob and
    /// queue services, which hold nothing of ours) gets a moment to finish and is then killed.
    /// </summary>
    public async Task<bool> StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return _tableClosed.Task.IsCompletedSuccessfully;
        try
        {
            if (_process.HasExited) return false;
            Posix.Signal(_process.Id, Posix.Sigterm);
            var exited = _process.WaitForExitAsync();
            var closed = await Task.WhenAny(_tableClosed.Task, exited).WaitAsync(StopTimeout).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
            if (!closed || !_tableClosed.Task.IsCompletedSuccessfully)
            {
                _logger.LogWarning("Azurite did not close its tables within {Seconds} s of SIGTERM; killing it.", StopTimeout.TotalSeconds);
                await KillAsync(_process);
                return false;
            }

            if (!await exited.WaitAsync(AfterTablesClosed).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default))
                await KillAsync(_process);
            return true;
        }
        finally
        {
            try { File.Delete(_pidFile); } catch (IOException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string executable, string dataDirectory)
    {
        var arguments = new List<string>
        {
            "--silent", "--disableTelemetry", "--location", dataDirectory, "--skipApiVersionCheck", "--disableProductStyleUrl",
            "--blobHost", "127.0.0.1", "--blobPort", "0",
            "--queueHost", "127.0.0.1", "--queuePort", "0",
            "--tableHost", "127.0.0.1", "--tablePort", "0",
        };

        if (Environment.GetEnvironmentVariable("KMS_AZURITE_DEBUG_LOG") is { Length: > 0 } debugLog) arguments.AddRange(["--debug", debugLog]);
        // Node's own Azurite gets the preload script and its heap size; another executable (KMS_AZURITE_BIN) is run as it is.
        var script = ResolveScript(executable);
        if (script is not null)
        {
            arguments.InsertRange(0, [$"--max-old-space-size={HeapLimitBytes >> 20}", "--require", WritePreloadScript(dataDirectory), script]);
            executable = "node";
        }

        // A session of its own, so a signal to the service's process group does not stop it before the silo.
        if (!OperatingSystem.IsWindows() && File.Exists("/usr/bin/setsid"))
        {
            arguments.Insert(0, executable);
            executable = "/usr/bin/setsid";
        }

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>The JavaScript file behind <c>node_modules/.bin/azurite</c> (a symbolic link), or null for anything else.</summary>
    private static string? ResolveScript(string executable)
    {
        var target = new FileInfo(executable).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? executable;
        return target.EndsWith(".js", StringComparison.Ordinal) ? target : null;
    }

    /// <summary>
    /// The preload script Azurite is started with (<c>azurite-preload.js</c>, embedded in this assembly): (1) when the
    /// process that started Azurite goes away its stdin ends, and Azurite stops as on SIGTERM; (2) the table database's
    /// autosaves are paced by their cost (the next waits nine times as long as the last one worked, at least 5 seconds);
    /// (3) the table database is saved one row per line, in slices between which Azurite answers requests, to a new
    /// file that is fsync'd and renamed into place, instead of as one JSON string that holds Node's only thread and
    /// cannot pass Node's longest string (about 512 MB, some 250,000 keys). docs/durability.md has the details.
    /// </summary>
    public static string WritePreloadScript(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "azurite-preload.js");
        string script;
        using (var resource = typeof(AzuriteProcess).Assembly.GetManifestResourceStream(PreloadResource)
            ?? throw new InvalidOperationException($"The resource {PreloadResource} is missing from {typeof(AzuriteProcess).Assembly.GetName().Name}."))
        using (var reader = new StreamReader(resource))
        {
            script = reader.ReadToEnd();
        }

        if (!File.Exists(path) || File.ReadAllText(path) != script) File.WriteAllText(path, script);
        // The script's name in earlier versions.
        File.Delete(Path.Combine(dataDirectory, "stop-with-parent.js"));
        return path;
    }

    private const string PreloadResource = "OrleansKms.Hosting.Azurite.azurite-preload.js";

    /// <summary>
    /// The V8 heap Azurite is given (<c>--max-old-space-size</c>): Azurite keeps every table row in memory, about as
    /// many bytes as its saved database. Two fifths of the memory this process may use, at least Node's usual 4 GiB and
    /// at most 32 GiB.
    /// </summary>
    public static long HeapLimitBytes { get; } = Math.Clamp(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 2 / 5, 4L << 30, 32L << 30);

    private void OnOutput(string? line)
    {
        if (line is not { Length: > 0 }) return;
        _logger.LogDebug("azurite: {Line}", line);
        if (Listening().Match(line) is { Success: true } listening)
        {
            lock (_ports)
            {
                _ports[listening.Groups[1].Value] = int.Parse(listening.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                if (_ports.Count == 3) _listening.TrySetResult(_ports);
            }
        }
        else if (line.Contains("Azurite Table service successfully closed", StringComparison.Ordinal))
        {
            _tableClosed.TrySetResult();
        }
    }

    [GeneratedRegex(@"^Azurite (Blob|Queue|Table) service is successfully listening at http://[^:]+:(\d+)")]
    private static partial Regex Listening();

    private static async Task KillAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }

        await process.WaitForExitAsync();
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
            Posix.Signal(pid, Posix.Sigterm);
            using var wait = new CancellationTokenSource(StopTimeout);
            try
            {
                await leftover.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync(leftover);
            }
        }
        catch (ArgumentException)
        {
            // Not running any more.
        }
    }
}
