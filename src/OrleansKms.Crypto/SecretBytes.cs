using System.Security.Cryptography;

namespace OrleansKms.Crypto;

/// <summary>
/// Secret key bytes in a small wrapper: no <c>ToString</c> that shows them, an explicit accessor, constant-time
/// equality, and zeroed on disposal.
/// </summary>
public sealed class SecretBytes : IDisposable, IEquatable<SecretBytes>
{
    /// <summary>AES-GCM contexts set up for this key, kept for the next operation (at most this many).</summary>
    private const int PooledCiphers = 4;

    private readonly byte[] _bytes;
    private AesGcm?[]? _ciphers;
    private volatile bool _disposed;

    private SecretBytes(byte[] bytes) => _bytes = bytes;

    /// <summary>Takes ownership of <paramref name="bytes"/>: the caller must not keep or reuse the array.</summary>
    public static SecretBytes TakeOwnership(byte[] bytes) => new(bytes);

    public static SecretBytes Random(int length) => new(RandomNumberGenerator.GetBytes(length));

    public int Length => _bytes.Length;

    /// <summary>The secret itself. Never log it, never store it unwrapped.</summary>
    public ReadOnlySpan<byte> Expose() => _bytes;

    public bool Equals(SecretBytes? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    public override bool Equals(object? obj) => obj is SecretBytes s && Equals(s);

    public override int GetHashCode() => _bytes.Length;

    public override string ToString() => $"SecretBytes[{_bytes.Length}]";

    /// <summary>
    /// An AES-GCM context (16-byte tags) keyed with these bytes: a pooled one if one is free, else a new one. Setting
    /// up a context costs about as much as encrypting a small message, so a key in use keeps a few. Give it back with
    /// <see cref="ReturnCipher"/>; disposal of this key disposes the pooled contexts with it.
    /// </summary>
    internal AesGcm RentCipher()
    {
        if (_ciphers is { } pool)
        {
            for (var i = 0; i < pool.Length; i++)
            {
                if (Interlocked.Exchange(ref pool[i], null) is { } cipher) return cipher;
            }
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        return new AesGcm(_bytes, 16);
    }

    internal void ReturnCipher(AesGcm cipher)
    {
        if (!_disposed)
        {
            var pool = _ciphers ?? Interlocked.CompareExchange(ref _ciphers, new AesGcm?[PooledCiphers], null) ?? _ciphers;
            for (var i = 0; i < pool.Length; i++)
            {
                if (Interlocked.CompareExchange(ref pool[i], cipher, null) is null)
                {
                    if (_disposed) DisposeCiphers(); // disposed meanwhile: nothing may stay keyed with zeroed bytes
                    return;
                }
            }
        }

        cipher.Dispose();
    }

    private void DisposeCiphers()
    {
        if (_ciphers is not { } pool) return;
        for (var i = 0; i < pool.Length; i++) Interlocked.Exchange(ref pool[i], null)?.Dispose();
    }

    /// <summary>Zeroes the bytes and frees the AES-GCM contexts keyed with them.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_bytes);
        DisposeCiphers();
    }
}
