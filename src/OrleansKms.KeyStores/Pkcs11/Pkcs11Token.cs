using System.Collections.Concurrent;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace OrleansKms.KeyStores;

/// <summary>
/// An <see cref="IHsmToken"/> over Pkcs11Interop. An anchor session stays open (and logged in) for the handle's life;
/// operations rent read-write sessions from a small pool, one caller per session at a time, as PKCS#11 requires.
/// Blob layout of <see cref="Encrypt"/>: <c>iv(12) || ciphertext(len(plaintext)) || tag(16)</c>, AES-256-GCM.
/// </summary>
internal sealed class Pkcs11Token(string module, string tokenLabel, string serial, ISlot slot, ISession anchor, TokenLogin login) : IHsmToken
{
    private const int IvLength = 12, TagLength = 16, KeyLength = 32;
    private static readonly int MaxIdleSessions = Math.Max(4, Environment.ProcessorCount * 2);
    private readonly ConcurrentBag<ISession> _idle = [];
    private int _disposed;

    public string TokenLabel => tokenLabel;

    public string SerialNumber => serial;

    public void GenerateAesKey(string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        lock (login.KeyGate)
        {
            Use(session =>
            {
                if (Find(session, label) is not null)
                    throw new InvalidOperationException($"A key labelled '{label}' already exists in token '{tokenLabel}'.");
                using var mechanism = Pkcs11Modules.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
                return session.GenerateKey(mechanism, Pkcs11Attributes.NewAesKey(label, KeyLength));
            });
        }
    }

    public bool HasKey(string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        return Use(session => Find(session, label) is not null);
    }

    public void DeleteKey(string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        lock (login.KeyGate)
        {
            Use(session =>
            {
                session.DestroyObject(Require(session, label));
                return true;
            });
        }
    }

    public byte[] Encrypt(string label, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> additionalData)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        var input = plaintext.ToArray();
        var aad = additionalData.ToArray();
        var iv = RandomNumberGenerator.GetBytes(IvLength);
        try
        {
            var sealedData = Use(session => Crypt(session, label, iv, aad, input, encrypt: true));
            if (sealedData.Length != input.Length + TagLength)
                throw new InvalidOperationException($"Token '{tokenLabel}' returned {sealedData.Length} bytes for an AES-GCM encryption of {input.Length}.");
            var blob = new byte[IvLength + sealedData.Length];
            iv.CopyTo(blob, 0);
            sealedData.CopyTo(blob, IvLength);
            return blob;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    public byte[] Decrypt(string label, ReadOnlySpan<byte> blob, ReadOnlySpan<byte> additionalData)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        if (blob.Length < IvLength + TagLength)
            throw new CryptographicException($"The ciphertext is malformed: {blob.Length} bytes, shorter than an IV and a tag ({IvLength + TagLength}).");
        var iv = blob[..IvLength].ToArray();
        var sealedData = blob[IvLength..].ToArray();
        var aad = additionalData.ToArray();
        return Use(session => Crypt(session, label, iv, aad, sealedData, encrypt: false));
    }

    public byte[] GenerateRandom(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return count == 0 ? [] : Use(session => session.GenerateRandom(count));
    }

    public IReadOnlyList<HsmKeyInfo> Keys() => Use(session =>
        session.FindAllObjects(Pkcs11Attributes.SecretKeys()).Select(handle => Pkcs11Attributes.Describe(session, handle)).ToList());

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        TokenLogins.Release(login, () =>
        {
            while (_idle.TryTake(out var session)) Close(session);
            Close(anchor);
        });
    }

    private static byte[] Crypt(ISession session, string label, byte[] iv, byte[] aad, byte[] input, bool encrypt)
    {
        var key = Require(session, label);
        using var parameters = Pkcs11Modules.Factories.MechanismParamsFactory.CreateCkGcmParams(iv, IvLength * 8, aad, TagLength * 8);
        using var mechanism = Pkcs11Modules.Factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
        try
        {
            return encrypt ? session.Encrypt(mechanism, key, input) : session.Decrypt(mechanism, key, input);
        }
        catch (Pkcs11Exception e) when (e.RV is CKR.CKR_KEY_HANDLE_INVALID or CKR.CKR_OBJECT_HANDLE_INVALID)
        {
            throw new KeyNotFoundException($"The key labelled '{label}' was deleted meanwhile.", e);
        }
        catch (Pkcs11Exception e) when (e.RV is CKR.CKR_KEY_TYPE_INCONSISTENT or CKR.CKR_KEY_FUNCTION_NOT_PERMITTED)
        {
            throw new NotSupportedException($"The key labelled '{label}' cannot {(encrypt ? "encrypt" : "decrypt")} with AES-GCM ({e.RV}).", e);
        }
        // A failed GCM tag check: CKR_ENCRYPTED_DATA_INVALID by the standard, CKR_AEAD_DECRYPT_FAILED in PKCS#11 3.0; SoftHSM
        // 2.6.1 returns CKR_GENERAL_ERROR (checked: for a flipped bit, a wrong AAD and a short input alike).
        catch (Pkcs11Exception e) when (!encrypt && e.RV is CKR.CKR_ENCRYPTED_DATA_INVALID or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE
                                            or CKR.CKR_GENERAL_ERROR or (CKR)0x00000035 /* CKR_AEAD_DECRYPT_FAILED */)
        {
            throw new CryptographicException("The ciphertext or the additional authenticated data was altered: the AES-GCM tag does not match.", e);
        }
    }

    private static IObjectHandle? Find(ISession session, string label)
    {
        var found = session.FindAllObjects(Pkcs11Attributes.SecretKey(label));
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new InvalidOperationException($"{found.Count} keys are labelled '{label}'; a label must name one key."),
        };
    }

    private static IObjectHandle Require(ISession session, string label) =>
        Find(session, label) ?? throw new KeyNotFoundException($"No key labelled '{label}' in the token.");

    /// <summary>Runs <paramref name="action"/> on a pooled session; a PKCS#11 failure it does not handle becomes an error naming the token.</summary>
    private T Use<T>(Func<ISession, T> action)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var session = _idle.TryTake(out var idle) ? idle : OpenSession();
        var reusable = true;
        try
        {
            return action(session);
        }
        catch (Pkcs11Exception e)
        {
            reusable = e.RV is not (CKR.CKR_SESSION_HANDLE_INVALID or CKR.CKR_SESSION_CLOSED or CKR.CKR_DEVICE_REMOVED or CKR.CKR_TOKEN_NOT_PRESENT);
            throw new InvalidOperationException($"PKCS#11 token '{tokenLabel}' (module '{module}') failed: {e.Method} returned {e.RV}.", e);
        }
        finally
        {
            if (reusable && Volatile.Read(ref _disposed) == 0 && _idle.Count < MaxIdleSessions) Return(session);
            else Close(session);
        }
    }

    private void Return(ISession session)
    {
        _idle.Add(session);
        // Disposed meanwhile: its drain may have run before this Add, so drain again.
        if (Volatile.Read(ref _disposed) == 1)
        {
            while (_idle.TryTake(out var stale)) Close(stale);
        }
    }

    private ISession OpenSession()
    {
        try
        {
            return slot.OpenSession(SessionType.ReadWrite);
        }
        catch (Pkcs11Exception e)
        {
            throw new InvalidOperationException($"PKCS#11 token '{tokenLabel}' (module '{module}') failed: C_OpenSession returned {e.RV}.", e);
        }
    }

    private static void Close(ISession session)
    {
        try
        {
            session.Dispose();
        }
        catch (Pkcs11Exception)
        {
            // Already closed (the token went away): nothing left to release.
        }
    }
}
