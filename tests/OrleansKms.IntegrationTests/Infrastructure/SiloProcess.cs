using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansKms.IntegrationTests.Infrastructure;

/// <summary>
/// The <c>silo</c> executable run as a user runs it in a terminal: a child process leading its own process group,
/// with SIGINT at its default disposition (as in a foreground terminal job, whatever this test host inherited), so
/// that a test can press Ctrl-C (SIGINT to the group), stop it as a supervisor does (SIGTERM), or cut the power
/// (SIGKILL to the group and to Azurite, which runs in a session of its own).
/// </summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    public const int Sigint = 2;
    public const int Sigkill = 9;
    public const int Sigterm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _endpoint = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public Uri Endpoint => _endpoint.Task.Result;

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the silo wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>The pid of the Azurite the silo started (from its pid file), or null.</summary>
    public int? AzuritePid =>
        File.Exists(Path.Combine(DataDirectory, "azurite", "azurite.pid"))
        && int.TryParse(File.ReadAllText(Path.Combine(DataDirectory, "azurite", "azurite.pid")), out var pid) ? pid : null;

    /// <summary>Starts the silo on <paramref name="dataDirectory"/> (default storage: Azurite) and waits for its endpoint.</summary>
    public static async Task<SiloProcess> StartAsync(string dataDirectory, params string[] extraArguments)
    {
        var silo = Launch(dataDirectory, extraArguments);
        try
        {
            await silo._endpoint.Task.WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (Exception e)
        {
            await silo.DisposeAsync();
            throw new InvalidOperationException($"The silo did not start ({e.Message}). Its output:\n{silo.Output}", e);
        }

        return silo;
    }

    /// <summary>Runs the silo as <see cref="StartAsync"/> does, for a start that is expected to fail: its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(string dataDirectory, TimeSpan timeout, params string[] extraArguments)
    {
        await using var silo = Launch(dataDirectory, extraArguments);
        if (!await silo.WaitForExitAsync(timeout)) throw new TimeoutException($"The silo did not exit within {timeout}. Its output:\n{silo.Output}");
        silo._process.WaitForExit(); // the last lines of output
        return (silo._process.ExitCode, silo.Output);
    }

    private static SiloProcess Launch(string dataDirectory, string[] extraArguments)
    {
        var start = new ProcessStartInfo("perl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        // perl (Essential on Debian) makes the new session and resets SIGINT, which a POSIX shell cannot un-ignore.
        foreach (var argument in new[] { "-MPOSIX", "-e", "$SIG{INT} = 'DEFAULT'; POSIX::setsid(); exec @ARGV or die $!", "--", "dotnet", SiloDll() })
            start.ArgumentList.Add(argument);
        foreach (var argument in new[] { "--port", "0", "--data-dir", dataDirectory, "--silo-port", TestPorts.Free().ToString(), "--silo-gateway-port", TestPorts.Free().ToString() })
            start.ArgumentList.Add(argument);
        // No RSA key pool unless asked for: these tests time their load, and need no background key generation.
        if (!extraArguments.Contains("--rsa-key-pool")) extraArguments = [.. extraArguments, "--rsa-key-pool", "off"];
        foreach (var argument in extraArguments) start.ArgumentList.Add(argument);
        Directory.CreateDirectory(dataDirectory);
        var process = Process.Start(start)!;
        var silo = new SiloProcess(process, dataDirectory);
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Sends <paramref name="signal"/> to the silo's whole process group (as a terminal's Ctrl-C does).</summary>
    public void SignalGroup(int signal) => _ = Kill(-_process.Id, signal);

    /// <summary>Sends <paramref name="signal"/> to the silo process alone.</summary>
    public void Signal(int signal) => _ = Kill(_process.Id, signal);

    /// <summary>A power cut: SIGKILL to the silo's process group and to its Azurite, at once.</summary>
    public void PowerCut()
    {
        if (AzuritePid is { } azurite) _ = Kill(azurite, Sigkill);
        SignalGroup(Sigkill);
    }

    /// <summary>True if the silo exited within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            PowerCut();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        if (EndpointLine().Match(line) is { Success: true } match) _endpoint.TrySetResult(new Uri(match.Groups[1].Value));
    }

    [GeneratedRegex(@"^\s*endpoint:\s+(http://\S+)")]
    private static partial Regex EndpointLine();

    /// <summary>The silo's build output beside this test assembly's (same configuration).</summary>
    private static string SiloDll()
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = testDirectory.Parent!.Name; // bin/<Configuration>/net10.0
        for (var dir = testDirectory; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "silo", "bin", configuration, testDirectory.Name, "OrleansKms.Silo.dll");
            if (File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException($"OrleansKms.Silo.dll ({configuration}) not found above {testDirectory}; build the solution first.");
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
