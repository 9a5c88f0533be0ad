using System.Diagnostics;
using System.Globalization;

namespace OrleansKms.Cli.Bench;

/// <summary>CPU used during one measurement, each as a percentage of all the machine's cores.</summary>
/// <param name="Bench">This process: the load generator (and the ceiling server when it runs in-process).</param>
/// <param name="Server">The process listening on the endpoint's port, when it could be found (Linux, same user).</param>
/// <param name="Other">Everything else on the machine: anything above a few percent means the run was disturbed.</param>
internal sealed record CpuUse(double Bench, double? Server, double? Other);

/// <summary>
/// Samples CPU time at the start and end of a measurement: this process, the server (found once by its listening
/// port, from /proc/net/tcp and /proc/PID/fd) and the whole machine (/proc/stat). On a 2-core machine the load
/// generator and the server compete for the same cores; these numbers show how the cores were shared.
/// </summary>
internal sealed class CpuSampler(int? serverPid)
{
    private const double TicksPerSecond = 100; // USER_HZ, fixed by the Linux ABI on x86-64 and arm64

    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly double _bench = BenchSeconds();
    private readonly double? _server = serverPid is { } pid ? ProcessSeconds(pid) : null;
    private readonly double? _machine = MachineBusySeconds();

    public CpuUse Stop()
    {
        var capacity = Stopwatch.GetElapsedTime(_start).TotalSeconds * Environment.ProcessorCount / 100;
        var bench = (BenchSeconds() - _bench) / capacity;
        double? server = serverPid is { } pid && _server is { } s0 && ProcessSeconds(pid) is { } s1 ? (s1 - s0) / capacity : null;
        double? machine = _machine is { } m0 && MachineBusySeconds() is { } m1 ? (m1 - m0) / capacity : null;
        double? other = machine is { } all ? Math.Max(0, all - bench - (server ?? 0)) : null;
        return new CpuUse(Math.Round(bench, 1), Round(server), Round(other));
    }

    /// <summary>The id of the process listening on TCP <paramref name="port"/>, or null if it cannot be found.</summary>
    public static int? FindListener(int port)
    {
        try
        {
            var inodes = ListeningInodes("/proc/net/tcp", port).Concat(ListeningInodes("/proc/net/tcp6", port))
                .Select(inode => $"socket:[{inode}]").ToHashSet();
            if (inodes.Count == 0) return null;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
                if (OwnsAny(dir, inodes)) return pid;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static IEnumerable<string> ListeningInodes(string table, int port)
    {
        if (!File.Exists(table)) yield break;
        foreach (var line in File.ReadLines(table).Skip(1))
        {
            // sl local_address rem_address st ... inode: "0100007F:2BC0 ... 0A" is 127.0.0.1:11200 listening.
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 9 && f[3] == "0A" && int.Parse(f[1][(f[1].IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                yield return f[9];
        }
    }

    private static bool OwnsAny(string processDir, HashSet<string> sockets)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(Path.Combine(processDir, "fd"))
                .Any(fd => new FileInfo(fd).LinkTarget is { } target && sockets.Contains(target));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static double BenchSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>utime + stime of a process, from /proc/PID/stat (fields 14 and 15, counted after the command name).</summary>
    private static double? ProcessSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Busy time of all cores from the first line of /proc/stat (user nice system idle iowait irq softirq steal).</summary>
    private static double? MachineBusySeconds()
    {
        try
        {
            var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            return (f.Sum() - f[3] - f[4]) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;
}
