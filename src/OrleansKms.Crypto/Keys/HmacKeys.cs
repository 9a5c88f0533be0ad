using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace OrleansKms.Crypto.Keys;

/// <summary>
/// HMAC keys (HMAC_224/256/384/512). Generated keys have AWS's sizes (28, 32, 48, 64 bytes); Mac and Verify take a
/// key of any length (imported HMAC key material may be longer). HMAC-SHA224 is BouncyCastle's (not in .NET); the
/// others are .NET's.
/// </summary>
public static class HmacKeys
{
    internal delegate byte[] MacFunction(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message);

    /// <summary>A spec's generated key size, its hash's block size (the most imported material may be), algorithm and function.</summary>
    internal sealed record HmacSpec(int KeySize, int BlockSize, string Algorithm, MacFunction Compute);

    /// <summary>A new random key of the spec's size.</summary>
    /// <exception cref="ArgumentException">Not an HMAC key spec.</exception>
    public static SecretBytes Generate(string keySpec) =>
        KeySpecCatalog.TryGet(keySpec, out var info) && info.Hmac is not null
            ? info.Generate()
            : throw new ArgumentException($"{keySpec} is not an HMAC key spec.", nameof(keySpec));

    /// <summary>The MAC of <paramref name="message"/>; the algorithm must be the spec's, else UnsupportedAlgorithm.</summary>
    public static byte[] Mac(SecretBytes key, string keySpec, string macAlgorithm, ReadOnlySpan<byte> message) =>
        SpecFor(keySpec, macAlgorithm).Compute(key.Expose(), message);

    /// <summary>True if <paramref name="mac"/> is the MAC of <paramref name="message"/>, compared in constant time.</summary>
    public static bool Verify(SecretBytes key, string keySpec, string macAlgorithm, ReadOnlySpan<byte> message, ReadOnlySpan<byte> mac)
    {
        var expected = Mac(key, keySpec, macAlgorithm, message);
        return CryptographicOperations.FixedTimeEquals(expected, mac);
    }

    private static HmacSpec SpecFor(string keySpec, string macAlgorithm) =>
        KeySpecCatalog.TryGet(keySpec, out var info) && info.Hmac is { } spec && spec.Algorithm == macAlgorithm
            ? spec
            : throw KmsCryptoException.Incompatible(macAlgorithm, keySpec);

    internal static byte[] HmacSha224Bc(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message)
    {
        var hmac = new HMac(new Sha224Digest());
        var keyCopy = key.ToArray();
        try
        {
            hmac.Init(new KeyParameter(keyCopy));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyCopy);
        }

        hmac.BlockUpdate(message);
        var mac = new byte[hmac.GetMacSize()];
        hmac.DoFinal(mac);
        return mac;
    }
}
