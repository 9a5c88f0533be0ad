using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace OrleansKms.KeyStores;

/// <summary>
/// The PKCS#11 modules this process has loaded: one library (one C_Initialize, MultiThreaded, OS locking) per module
/// path, kept until the process ends. This is process-wide state on purpose: a PKCS#11 module may be initialized once
/// per process, and its login state belongs to the process, not to one caller.
/// </summary>
internal static class Pkcs11Modules
{
    private static readonly Dictionary<string, IPkcs11Library> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>The factories every caller uses to build mechanisms and attributes.</summary>
    public static Pkcs11InteropFactories Factories { get; } = new();

    /// <summary>The loaded library of <paramref name="modulePath"/>, loading it on first use.</summary>
    public static IPkcs11Library Load(string modulePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modulePath);
        var key = Key(modulePath);
        lock (Gate)
        {
            if (Loaded.TryGetValue(key, out var library)) return library;
            if (modulePath.Contains('/') && !File.Exists(modulePath))
                throw new InvalidOperationException($"The PKCS#11 module '{modulePath}' was not found.");
            ResolveLibdl();
            try
            {
                library = Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, modulePath, AppType.MultiThreaded);
            }
            catch (Exception e) when (e is UnmanagedException or DllNotFoundException or Pkcs11Exception or BadImageFormatException)
            {
                throw new InvalidOperationException($"The PKCS#11 module '{modulePath}' could not be loaded: {e.Message}", e);
            }

            Loaded[key] = library;
            return library;
        }
    }

    /// <summary>Whether this process has loaded <paramref name="modulePath"/>.</summary>
    public static bool IsLoaded(string modulePath)
    {
        lock (Gate) return Loaded.ContainsKey(Key(modulePath));
    }

    /// <summary>The one name of a module: its full path (or the bare library name the loader resolves).</summary>
    public static string Key(string modulePath) => modulePath.Contains('/') ? Path.GetFullPath(modulePath) : modulePath;

    private static bool _resolverSet;

    /// <summary>
    /// Pkcs11Interop 5.3.0 imports dlopen from "libdl", which glibc 2.34+ (Debian 12) ships only as libdl.so.2 (the
    /// unversioned libdl.so is a development symlink that is no longer installed): without this mapping, loading any
    /// module fails with DllNotFoundException 'libdl'.
    /// </summary>
    private static void ResolveLibdl()
    {
        if (_resolverSet || !OperatingSystem.IsLinux()) return;
        _resolverSet = true;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, static (name, _, _) =>
                name == "libdl" && (NativeLibrary.TryLoad("libdl.so.2", out var handle) || NativeLibrary.TryLoad("libc.so.6", out handle))
                    ? handle
                    : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // Someone else in the process already set a resolver for Pkcs11Interop: theirs wins.
        }
    }
}
