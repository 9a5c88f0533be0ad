using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace OrleansKms.KeyStores;

/// <summary>Opens PKCS#11 tokens (SoftHSM2 in development and tests, any PKCS#11 module in production).</summary>
public static class Pkcs11Tokens
{
    private static readonly string[] SoftHsmCandidates =
    [
        "/usr/lib/softhsm/libsofthsm2.so", // Debian, Ubuntu
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib64/pkcs11/libsofthsm2.so", // Fedora, RHEL
        "/usr/local/lib/softhsm/libsofthsm2.so", // built from source
        "/opt/homebrew/lib/softhsm/libsofthsm2.so", // macOS (Homebrew)
    ];

    /// <summary>
    /// Opens the initialized token labelled <paramref name="tokenLabel"/> in the module and logs into it as CKU_USER.
    /// The module is loaded (C_Initialize, multi-threaded) once per path per process; the handle pools its sessions and
    /// is safe for concurrent callers. Several handles may be open on one token. Throws
    /// <see cref="InvalidOperationException"/>, its message naming the module and the token (never the PIN), when the
    /// module is not found or cannot be loaded, no token has that label, or the PIN is wrong.
    /// </summary>
    public static IHsmToken Open(string modulePath, string tokenLabel, string pin)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modulePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenLabel);
        ArgumentNullException.ThrowIfNull(pin);
        var library = Pkcs11Modules.Load(modulePath);
        var (slot, info) = FindToken(library, modulePath, tokenLabel);
        ISession anchor;
        try
        {
            anchor = slot.OpenSession(SessionType.ReadWrite);
        }
        catch (Pkcs11Exception e)
        {
            throw new InvalidOperationException($"Opening a session on PKCS#11 token '{tokenLabel}' (module '{modulePath}') failed: C_OpenSession returned {e.RV}.", e);
        }

        try
        {
            var serial = info.SerialNumber.Trim();
            var login = TokenLogins.Acquire(Pkcs11Modules.Key(modulePath), tokenLabel, serial, anchor, pin);
            return new Pkcs11Token(modulePath, tokenLabel, serial, slot, anchor, login);
        }
        catch
        {
            anchor.Dispose();
            throw;
        }
    }

    /// <summary>The SoftHSM2 PKCS#11 module on this machine (<c>/usr/lib/softhsm/libsofthsm2.so</c> on Debian), or null when it is not installed.</summary>
    public static string? SoftHsmModule => Array.Find(SoftHsmCandidates, File.Exists);

    /// <summary>The slot holding the one initialized token of that label; a clear error when there is none or several.</summary>
    internal static (ISlot Slot, ITokenInfo Info) FindToken(IPkcs11Library library, string modulePath, string tokenLabel)
    {
        var tokens = new List<(ISlot Slot, ITokenInfo Info)>();
        foreach (var slot in library.GetSlotList(SlotsType.WithTokenPresent))
        {
            try
            {
                var info = slot.GetTokenInfo();
                if (info.TokenFlags.TokenInitialized) tokens.Add((slot, info));
            }
            catch (Pkcs11Exception)
            {
                // A slot whose token went away between the two calls: not the one we look for.
            }
        }

        var matches = tokens.FindAll(t => Label(t.Info) == tokenLabel);
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new InvalidOperationException(
                $"No initialized token labelled '{tokenLabel}' in PKCS#11 module '{modulePath}'" +
                (tokens.Count == 0 ? " (it has no initialized token)." : $" (its tokens: {string.Join(", ", tokens.Select(t => $"'{Label(t.Info)}'"))}).")),
            _ => throw new InvalidOperationException(
                $"Several tokens are labelled '{tokenLabel}' in PKCS#11 module '{modulePath}' (serial numbers {string.Join(", ", matches.Select(t => t.Info.SerialNumber.Trim()))}); give each token its own label."),
        };
    }

    internal static string Label(ITokenInfo info) => info.Label.TrimEnd(' ', '\0');
}
