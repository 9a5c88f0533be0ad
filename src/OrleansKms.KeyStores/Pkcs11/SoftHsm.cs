using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace OrleansKms.KeyStores;

/// <summary>
/// SoftHSM2 for tests and development: a token directory of this process's own, and new tokens in it.
/// </summary>
/// <remarks>
/// What was checked against SoftHSM 2.6.1 (Debian 12) with Pkcs11Interop 5.3.0:
/// <list type="bullet">
/// <item>SoftHSM reads <c>SOFTHSM2_CONF</c> once, in C_Initialize. On Linux, .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only the runtime's own copy of the
/// environment, which native getenv() never sees: the module silently used the system token directory
/// (/var/lib/softhsm/tokens). The variable is therefore also set with libc setenv().</item>
/// <item>A token made by <c>softhsm2-util --init-token --free</c> after the module was loaded is NOT seen: C_GetSlotList
/// returns the tokens found at C_Initialize (plus the one free slot) and never rescans the directory.</item>
/// <item>C_InitToken on the free slot works in the running process: the token appears at once, keeps its slot id, and
/// a new free slot appears after it (checked for several tokens in a row). C_InitPIN then needs an SO session.</item>
/// </list>
/// So <see cref="CreateToken"/> initializes tokens through PKCS#11 itself, which works any number of times per process.
/// </remarks>
public static class SoftHsm
{
    private static readonly Lock Gate = new();
    private static string? _configuration;

    /// <summary>
    /// Makes this process's SoftHSM2 keep its tokens under <paramref name="directory"/>: writes
    /// <c>softhsm2.conf</c> there (token directory <c>tokens/</c>) and sets <c>SOFTHSM2_CONF</c>, unless an earlier call
    /// already did (then that configuration stays: SoftHSM reads it once). Must run before the module is first loaded.
    /// Returns the path of the configuration file in effect.
    /// </summary>
    public static string EnsureConfigured(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        lock (Gate)
        {
            if (_configuration is not null) return _configuration;
            if (Pkcs11Tokens.SoftHsmModule is { } module && Pkcs11Modules.IsLoaded(module))
                throw new InvalidOperationException("SoftHSM2 is already loaded in this process: SoftHsm.EnsureConfigured must run before its first use.");
            var root = Path.GetFullPath(directory);
            var tokens = Path.Combine(root, "tokens");
            Directory.CreateDirectory(tokens);
            var configuration = Path.Combine(root, "softhsm2.conf");
            File.WriteAllText(configuration, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
            Environment.SetEnvironmentVariable("SOFTHSM2_CONF", configuration); // for child processes such as softhsm2-util
            if (!OperatingSystem.IsWindows() && setenv("SOFTHSM2_CONF", configuration, 1) != 0)
                throw new InvalidOperationException($"setenv(SOFTHSM2_CONF) failed (errno {Marshal.GetLastPInvokeError()}).");
            _configuration = configuration;
            return configuration;
        }
    }

    /// <summary>
    /// Initializes a new token on SoftHSM2's free slot with that label, SO PIN and user PIN (C_InitToken, then
    /// C_InitPIN as the security officer) and returns its serial number. Call <see cref="EnsureConfigured"/> first;
    /// open the token with <see cref="Pkcs11Tokens.Open"/>. Throws <see cref="InvalidOperationException"/> when SoftHSM2
    /// is not installed (<c>apt-get install -y softhsm2</c>) or a token already has the label.
    /// </summary>
    public static string CreateToken(string label, string soPin, string userPin)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(label.Length, 32, nameof(label)); // CK_TOKEN_INFO.label is 32 bytes
        ArgumentException.ThrowIfNullOrEmpty(soPin);
        ArgumentException.ThrowIfNullOrEmpty(userPin);
        lock (Gate)
        {
            if (_configuration is null)
                throw new InvalidOperationException("Call SoftHsm.EnsureConfigured(directory) before SoftHsm.CreateToken, so tokens go to a directory of this process's own.");
            var module = Pkcs11Tokens.SoftHsmModule ?? throw new InvalidOperationException("SoftHSM2 is not installed: apt-get install -y softhsm2");
            var library = Pkcs11Modules.Load(module);
            var (free, labels) = FreeSlot(library);
            if (labels.Contains(label))
                throw new InvalidOperationException($"SoftHSM2 already has a token labelled '{label}'.");
            if (free is null) throw new InvalidOperationException("SoftHSM2 has no free slot to initialize a token in.");
            try
            {
                free.InitToken(soPin, label);
                using var session = free.OpenSession(SessionType.ReadWrite);
                session.Login(CKU.CKU_SO, soPin);
                session.InitPin(userPin);
                session.Logout();
                return free.GetTokenInfo().SerialNumber.Trim();
            }
            catch (Pkcs11Exception e)
            {
                throw new InvalidOperationException($"Initializing SoftHSM2 token '{label}' failed: {e.Method} returned {e.RV}.", e);
            }
        }
    }

    private static (ISlot? Free, HashSet<string> Labels) FreeSlot(IPkcs11Library library)
    {
        ISlot? free = null;
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slot in library.GetSlotList(SlotsType.WithTokenPresent))
        {
            var info = slot.GetTokenInfo();
            if (info.TokenFlags.TokenInitialized) labels.Add(Pkcs11Tokens.Label(info));
            else free ??= slot;
        }

        return (free, labels);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
