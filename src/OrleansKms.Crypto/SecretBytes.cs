using System.Security.Cryptography;

namespace OrleansKms.Crypto;

/// <summary>
/// Secret key bytes in a small wrapper: no <c>ToString</c> that shows them, an explicit accessor, constant-time
/// equality, and zeroed on disposal.
/// </summary>
public sealed class SecretBytes : IDisposable, IEquatable<SecretBytes>
{
    private readonly byte[] _bytes;

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

    public void Dispose() => CryptographicOperations.ZeroMemory(_bytes);
}
