using System.Runtime.InteropServices;

namespace OrleansKms.Hosting;

/// <summary>The few POSIX calls .NET does not offer: a signal to a process, fsync of a directory, glibc's malloc_trim.</summary>
internal static class Posix
{
    public const int Sigterm = 15;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/> (a negative pid is a process group).</summary>
    public static void Signal(int pid, int signal) => _ = Kill(pid, signal);

    /// <summary>
    /// Makes a directory's entries durable (a created, renamed or deleted file survives a power cut). A no-op where
    /// directories cannot be opened (Windows).
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = Open(directory, 0);
        if (fd < 0) return;
        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Asks the C library to give the free memory of its heaps back to the system (glibc's <c>malloc_trim</c>: the
    /// runtime's and libraries' native allocations, left in glibc's per-thread arenas after a burst); false where there is
    /// no such call (not Linux, or a C library without it, such as musl).
    /// </summary>
    public static bool TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return MallocTrim(0) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "open")]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
