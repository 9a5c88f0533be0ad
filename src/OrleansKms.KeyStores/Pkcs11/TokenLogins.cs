using System.Security.Cryptography;
using System.Text;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace OrleansKms.KeyStores;

/// <summary>
/// One token's login, shared by every <see cref="IHsmToken"/> this process opens on it. PKCS#11 login state belongs to
/// the application, not to a session: once one session logged in, C_Login on another returns
/// CKR_USER_ALREADY_LOGGED_IN whatever the PIN, and closing the last session logs out. So the first opener logs in, and
/// later openers are checked against a salted HMAC of the PIN that succeeded (the PIN itself is never kept).
/// </summary>
internal sealed class TokenLogin
{
    private readonly byte[] _salt = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _pinMac;

    public TokenLogin((string Module, string Serial) key, ReadOnlySpan<byte> pin)
    {
        Key = key;
        _pinMac = HMACSHA256.HashData(_salt, pin);
    }

    public (string Module, string Serial) Key { get; }

    /// <summary>Serialises key creation and deletion on this token, so "generate unless the label exists" holds.</summary>
    public Lock KeyGate { get; } = new();

    public int References { get; set; }

    public bool Matches(ReadOnlySpan<byte> pin) => CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_salt, pin), _pinMac);
}

/// <summary>The logins of the tokens this process has open (see <see cref="TokenLogin"/>).</summary>
internal static class TokenLogins
{
    private static readonly Dictionary<(string Module, string Serial), TokenLogin> Open = [];
    private static readonly Lock Gate = new();

    /// <summary>
    /// Logs <paramref name="anchor"/>'s token in as CKU_USER, or checks <paramref name="pin"/> against the PIN that did;
    /// counts one more user of the login. Errors name the module and the token, never the PIN.
    /// </summary>
    public static TokenLogin Acquire(string module, string tokenLabel, string serial, ISession anchor, string pin)
    {
        var pinBytes = Encoding.UTF8.GetBytes(pin);
        try
        {
            lock (Gate)
            {
                var key = (module, serial);
                if (Open.TryGetValue(key, out var login))
                {
                    if (!login.Matches(pinBytes)) throw LoginFailed(module, tokenLabel, "the PIN is incorrect");
                }
                else
                {
                    LogIn(anchor, pinBytes, module, tokenLabel);
                    login = new TokenLogin(key, pinBytes);
                    Open[key] = login;
                }

                login.References++;
                return login;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pinBytes);
        }
    }

    /// <summary>
    /// One user fewer: <paramref name="closeSessions"/> runs under the lock, so a concurrent opener either shares the
    /// login or finds the token logged out (closing the last session logs out) and logs in afresh.
    /// </summary>
    public static void Release(TokenLogin login, Action closeSessions)
    {
        lock (Gate)
        {
            closeSessions();
            if (--login.References == 0) Open.Remove(login.Key);
        }
    }

    private static void LogIn(ISession anchor, byte[] pin, string module, string tokenLabel)
    {
        try
        {
            anchor.Login(CKU.CKU_USER, pin);
        }
        catch (Pkcs11Exception e)
        {
            throw e.RV switch
            {
                CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_INVALID or CKR.CKR_PIN_LEN_RANGE => LoginFailed(module, tokenLabel, "the PIN is incorrect"),
                CKR.CKR_PIN_LOCKED => LoginFailed(module, tokenLabel, "the user PIN is locked"),
                CKR.CKR_USER_PIN_NOT_INITIALIZED => LoginFailed(module, tokenLabel, "the token has no user PIN yet (initialize one, e.g. softhsm2-util --init-token ... --pin)"),
                CKR.CKR_USER_ALREADY_LOGGED_IN => LoginFailed(module, tokenLabel,
                    "other code in this process logged the token in, so the PIN cannot be checked; open every handle through Pkcs11Tokens.Open"),
                _ => LoginFailed(module, tokenLabel, $"C_Login returned {e.RV}"),
            };
        }
    }

    private static InvalidOperationException LoginFailed(string module, string tokenLabel, string why) =>
        new($"Login to PKCS#11 token '{tokenLabel}' (module '{module}') failed: {why}.");
}
